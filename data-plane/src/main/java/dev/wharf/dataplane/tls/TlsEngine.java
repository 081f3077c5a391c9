package dev.wharf.dataplane.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS implementation that terminates client connections: OpenSSL (BoringSSL through
 * netty-tcnative) when its native library loads, several times cheaper per handshake, else the
 * JDK's. Chosen once per process.
 */
public enum TlsEngine {
  OPENSSL(SslProvider.OPENSSL),
  JDK(SslProvider.JDK);

  private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);

  private final SslProvider provider;

  TlsEngine(SslProvider provider) {
    this.provider = provider;
  }

  /**
   * The engine of this process: OpenSSL when available, unless the system property {@code
   * wharf.tls.engine=jdk} asks for the JDK's (read when a node starts).
   */
  public static TlsEngine detect() {
    TlsEngine best = Detected.ENGINE;
    if (best == OPENSSL && "jdk".equals(System.getProperty(FORCE_PROPERTY))) {
      return JDK;
    }
    return best;
  }

  /**
   * The engine of this process, detected and {@linkplain #announce announced} on the first call,
   * not before: loading netty-tcnative costs a node without TLS about 15 MB of resident memory and
   * 11 MB of start-up allocation. Thread-safe; every call after the first returns the same engine.
   */
  public static Supplier<TlsEngine> onFirstUse(MeterRegistry registry) {
    return new Supplier<>() {
      private TlsEngine engine;

      @Override
      public synchronized TlsEngine get() {
        if (engine == null) {
          engine = detect();
          engine.announce(registry);
        }
        return engine;
      }
    };
  }

  /** The system property that makes nodes use the JDK's engine where OpenSSL loads. */
  public static final String FORCE_PROPERTY = "wharf.tls.engine";

  /** The name shown in logs and in the {@code engine} tag: {@code openssl} or {@code jdk}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  SslProvider provider() {
    return provider;
  }

  /**
   * Logs which engine runs and registers {@code wharf_tls_engine_info{engine}} (always 1), so
   * operators can check it in {@code /metrics}.
   */
  public void announce(MeterRegistry registry) {
    log.info("TLS engine for client connections: {}", tag());
    Gauge.builder("wharf.tls.engine.info", () -> 1)
        .description("The TLS engine terminating client connections (value always 1)")
        .tag("engine", tag())
        .register(registry);
  }

  private static final class Detected {
    static final TlsEngine ENGINE = pick();

    private static TlsEngine pick() {
      // The JDK engine refuses renegotiation a client starts only when told so before its first
      // handshake; OpenSSL (BoringSSL) never renegotiates as a server.
      if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
      }
      if (OpenSsl.isAvailable()) {
        log.info("OpenSSL is available: {}", OpenSsl.versionString());
        return OPENSSL;
      }
      log.info(
          "OpenSSL is unavailable, TLS runs on the JDK's engine: {}",
          String.valueOf(OpenSsl.unavailabilityCause()));
      return JDK;
    }
  }
}
