package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.ClientVerification;
import dev.wharf.proto.config.v1.ListenerTls;
import dev.wharf.proto.config.v1.TlsSessions;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The settings every context of one listener shares, resolved from the config with defaults. */
record ContextSettings(
    TlsEngine engine,
    List<String> protocols,
    List<String> ciphers,
    long sessionCacheSize,
    long sessionTimeoutSeconds,
    ClientAuth clientAuth,
    TrustManager clientTrust,
    long handshakeTimeoutMillis,
    int maxHandshakes,
    int recordSize) {
  private static final Logger log = LoggerFactory.getLogger(ContextSettings.class);

  static ContextSettings of(ListenerTls c, TlsEngine engine) throws TlsSetupException {
    List<String> protocols =
        c.getProtocolsCount() == 0 ? TlsDefaults.PROTOCOLS : List.copyOf(c.getProtocolsList());
    List<String> ciphers =
        ciphers(c.getCiphersCount() == 0 ? TlsDefaults.CIPHERS : c.getCiphersList(), engine);
    if (protocols.contains("TLSv1.2") && ciphers.isEmpty()) {
      throw new TlsSetupException(
          "ciphers", "none of them is supported by the " + engine.tag() + " engine");
    }
    List<String> all = new ArrayList<>(ciphers);
    all.addAll(TlsDefaults.TLS13_SUITES);
    TlsSessions s = c.getSessions();
    long cache = s.hasCacheSize() ? s.getCacheSize() : TlsDefaults.SESSION_CACHE_SIZE;
    long timeout =
        s.hasTimeout() ? s.getTimeout().getSeconds() : TlsDefaults.SESSION_TIMEOUT.toSeconds();
    ClientAuth auth = ClientAuth.NONE;
    TrustManager trust = null;
    if (c.hasClientVerification()) {
      ClientVerification v = c.getClientVerification();
      auth =
          v.getMode() == ClientVerification.Mode.OPTIONAL
              ? ClientAuth.OPTIONAL
              : ClientAuth.REQUIRE;
      trust = ClientTrust.load(v, auth == ClientAuth.OPTIONAL);
    }
    return new ContextSettings(
        engine,
        protocols,
        all,
        cache,
        timeout,
        auth,
        trust,
        c.hasHandshakeTimeout()
            ? Math.max(
                1,
                c.getHandshakeTimeout().getSeconds() * 1000
                    + c.getHandshakeTimeout().getNanos() / 1_000_000)
            : TlsDefaults.HANDSHAKE_TIMEOUT.toMillis(),
        c.getMaxConcurrentHandshakes() == 0
            ? TlsDefaults.MAX_CONCURRENT_HANDSHAKES
            : c.getMaxConcurrentHandshakes(),
        c.hasRecordSize() ? (int) c.getRecordSize().getBytes() : TlsDefaults.RECORD_SIZE);
  }

  /**
   * The configured TLS 1.2 suites as Java names, in their order, without those the engine lacks
   * (logged: Mozilla's list names DHE suites BoringSSL does not have).
   */
  private static List<String> ciphers(List<String> names, TlsEngine engine)
      throws TlsSetupException {
    Set<String> supported = supported(engine);
    Set<String> out = new LinkedHashSet<>();
    List<String> skipped = new ArrayList<>();
    for (String name : names) {
      String java = name.startsWith("TLS_") ? name : CipherSuiteConverter.toJava(name, "TLS");
      if (java != null && supported.contains(java)) {
        out.add(java);
      } else {
        skipped.add(name);
      }
    }
    if (!skipped.isEmpty()) {
      log.info("TLS ciphers the {} engine does not have, skipped: {}", engine.tag(), skipped);
    }
    return List.copyOf(out);
  }

  private static Set<String> supported(TlsEngine engine) throws TlsSetupException {
    if (engine == TlsEngine.OPENSSL) {
      return OpenSsl.availableJavaCipherSuites();
    }
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new TlsSetupException("ciphers", "the JDK has no TLS: " + e.getMessage());
    }
  }

  SslContext build(X509ExtendedKeyManager keys, ApplicationProtocolConfig alpn)
      throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forServer(keys)
            .sslProvider(engine.provider())
            .protocols(protocols)
            .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(alpn)
            .sessionTimeout(sessionTimeoutSeconds)
            // The JDK reads 0 as "no limit": keep one session there instead.
            .sessionCacheSize(
                sessionCacheSize == 0 && engine == TlsEngine.JDK ? 1 : sessionCacheSize)
            .clientAuth(clientAuth);
    if (clientTrust != null) {
      b.trustManager(clientTrust);
    }
    if (engine == TlsEngine.OPENSSL) {
      b.enableOcsp(OpenSsl.isOcspSupported());
    }
    SslContext context = b.build();
    if (sessionCacheSize == 0
        && context.sessionContext() instanceof io.netty.handler.ssl.OpenSslSessionContext s) {
      s.setSessionCacheEnabled(false);
    }
    return context;
  }
}
