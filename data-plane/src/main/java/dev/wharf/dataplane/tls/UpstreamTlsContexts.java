package dev.wharf.dataplane.tls;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.config.UpstreamTlsRules;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.config.v1.UpstreamTls;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the TLS client of every upstream with {@code tls} when a config is applied, on the config
 * thread (files are read here, never on an event loop), and keeps them across applies: an upstream
 * whose settings and files are unchanged keeps its client, with its session cache and pooled
 * connections; a change builds a new one.
 *
 * <p>A CA or client certificate file that cannot be read, or does not hold what it should, refuses
 * the whole config (the error names {@code upstreams[i].tls.FIELD} and why); the node keeps the
 * clients it had.
 */
public final class UpstreamTlsContexts {
  private static final Logger log = LoggerFactory.getLogger(UpstreamTlsContexts.class);

  /** Settings plus the modification times of the files they name: what a client is built from. */
  private record Key(UpstreamTls settings, List<Long> fileTimes) {}

  private record Built(Key key, UpstreamTlsClient client) {}

  private Map<String, Built> current = Map.of();

  /**
   * The clients of {@code config}'s TLS upstreams by upstream name, reusing those whose settings
   * and files did not change. All or nothing: on an exception nothing is kept from this call.
   *
   * @throws ConfigException naming {@code upstreams[i].tls.FIELD} and why its file cannot serve
   */
  public synchronized Map<String, UpstreamTlsClient> update(Config config) throws ConfigException {
    Map<String, Built> next = new HashMap<>();
    List<Upstream> upstreams = config.getUpstreamsList();
    for (int i = 0; i < upstreams.size(); i++) {
      Upstream u = upstreams.get(i);
      if (!u.hasTls()) {
        continue;
      }
      Key key = new Key(u.getTls(), fileTimes(u.getTls()));
      Built old = current.get(u.getName());
      try {
        next.put(
            u.getName(),
            old != null && old.key().equals(key)
                ? old
                : new Built(key, build(u.getName(), u.getTls())));
      } catch (UpstreamTlsException e) {
        log.warn("upstream {}: config refused: tls.{}: {}", u.getName(), e.field(), e.getMessage());
        throw new ConfigException(
            List.of(new ConfigError("upstreams[" + i + "].tls." + e.field(), e.getMessage(), 0)));
      }
    }
    current = Map.copyOf(next);
    Map<String, UpstreamTlsClient> clients = new HashMap<>();
    next.forEach((name, built) -> clients.put(name, built.client()));
    return Map.copyOf(clients);
  }

  private static List<Long> fileTimes(UpstreamTls tls) {
    List<Long> times = new ArrayList<>();
    for (String f : List.of(tls.getCaFile(), tls.getCertificateFile(), tls.getKeyFile())) {
      try {
        times.add(f.isEmpty() ? 0L : Files.getLastModifiedTime(Path.of(f)).toMillis());
      } catch (IOException | RuntimeException e) {
        times.add(-1L); // unreadable: build() says why
      }
    }
    return times;
  }

  /** Builds a client for {@code upstream}'s validated {@code tls} settings. */
  static UpstreamTlsClient build(String upstream, UpstreamTls tls) throws UpstreamTlsException {
    boolean openSsl =
        OpenSsl.isAvailable() && (!tls.hasSendServerName() || tls.getSendServerName());
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols(
                tls.getProtocolsCount() == 0
                    ? List.of("TLSv1.3", "TLSv1.2")
                    : List.copyOf(tls.getProtocolsList()));
    boolean verify = !tls.hasVerify() || tls.getVerify();
    if (!verify) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      if (!tls.getCaFile().isEmpty()) {
        b.trustManager(readCa(upstream, Path.of(tls.getCaFile())));
      }
      b.endpointIdentificationAlgorithm("HTTPS");
    }
    if (!tls.getCertificateFile().isEmpty()) {
      try {
        CertificateMaterial m =
            CertificateMaterial.load(Path.of(tls.getCertificateFile()), Path.of(tls.getKeyFile()));
        b.keyManager(m.key(), m.chain());
      } catch (InvalidCertificateException e) {
        String field = e.file().equals(Path.of(tls.getKeyFile())) ? "key_file" : "certificate_file";
        throw new UpstreamTlsException(upstream, field, e.getMessage());
      }
    }
    if (tls.getCiphersCount() > 0) {
      b.ciphers(tls.getCiphersList());
    }
    SslContext context;
    try {
      context = b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new UpstreamTlsException(
          upstream,
          tls.getCiphersCount() > 0 ? "ciphers" : "protocols",
          "the TLS engine refuses these settings: " + e.getMessage());
    }
    UpstreamTlsClient client = new UpstreamTlsClient(tls, context, openSsl ? "openssl" : "jdk");
    if (!client.sessionReuse() && context.sessionContext() instanceof OpenSslSessionContext s) {
      s.setSessionCacheEnabled(false);
    }
    if (!verify) {
      log.warn(
          "upstream {}: tls.verify is false, endpoint certificates are not checked "
              + "(anyone on the path can impersonate them)",
          upstream);
    }
    log.info(
        "upstream {}: TLS client ready (engine {}, protocols {})",
        upstream,
        client.engine(),
        tls.getProtocolsCount() == 0 ? UpstreamTlsRules.PROTOCOLS : tls.getProtocolsList());
    return client;
  }

  private static String unreadable(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "does not exist";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "cannot be read: permission denied";
    }
    return "cannot be read: " + e.getMessage();
  }

  private static List<X509Certificate> readCa(String upstream, Path file)
      throws UpstreamTlsException {
    List<X509Certificate> cas = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      CertificateFactory.getInstance("X.509")
          .generateCertificates(in)
          .forEach(c -> cas.add((X509Certificate) c));
    } catch (IOException e) {
      throw new UpstreamTlsException(upstream, "ca_file", file + " " + unreadable(e));
    } catch (GeneralSecurityException e) {
      throw new UpstreamTlsException(
          upstream, "ca_file", file + " is not a PEM certificate bundle");
    }
    if (cas.isEmpty()) {
      throw new UpstreamTlsException(upstream, "ca_file", file + " holds no certificate");
    }
    return cas;
  }
}
