package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.Certificate;
import dev.wharf.proto.config.v1.ListenerTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Builds a listener's {@link ServerTls} from its config and the files it names. Blocking (file
 * reads, key parsing): call it off the event loops, at config apply or on a material reload.
 *
 * <p>Certificates that serve the same set of names share one {@link SslContext} whose key manager
 * holds all their keys, so the engine picks the RSA or the ECDSA one by what the client supports.
 * The first certificate's group is the default for clients without SNI or with an unknown name.
 */
public final class ServerTlsFactory {
  /** ALPN of a listener that speaks HTTP/2: {@code h2} preferred, as RFC 9113 3.2 expects. */
  static final List<String> ALPN_H2 =
      List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

  /** ALPN of a listener that speaks HTTP/1.1 only. */
  static final List<String> ALPN_HTTP_1 = List.of(ApplicationProtocolNames.HTTP_1_1);

  /** Asked only when a listener with TLS is built (see {@link TlsEngine#onFirstUse}). */
  private final Supplier<TlsEngine> engine;

  private final Clock clock;

  /**
   * @param clock judges whether a certificate is valid now
   */
  public ServerTlsFactory(TlsEngine engine, Clock clock) {
    this(() -> engine, clock);
  }

  /**
   * @param engine asked when the first listener with TLS is built
   * @param clock judges whether a certificate is valid now
   */
  public ServerTlsFactory(Supplier<TlsEngine> engine, Clock clock) {
    this.engine = engine;
    this.clock = clock;
  }

  /**
   * @throws TlsSetupException naming the field and the reason: a file that cannot be read, a key
   *     that does not match, nothing the engine supports
   */
  public ServerTls build(ListenerTls config, boolean http2) throws TlsSetupException {
    return build(config, http2, materials(config));
  }

  /** Reads and checks every certificate of {@code config}, in config order. */
  List<CertificateMaterial> materials(ListenerTls config) throws TlsSetupException {
    if (config.getCertificatesCount() == 0) {
      throw new TlsSetupException("certificates", "at least one certificate is required");
    }
    List<CertificateMaterial> materials = new ArrayList<>();
    for (int i = 0; i < config.getCertificatesCount(); i++) {
      try {
        materials.add(CertificateSource.of(config.getCertificates(i)).load(clock));
      } catch (InvalidCertificateException e) {
        throw new TlsSetupException("certificates[" + i + "]", e.getMessage());
      }
    }
    return materials;
  }

  /**
   * Builds the setup from {@code materials} already read and checked (one per certificate of {@code
   * config}, in order): at apply, or when the reloader hands over renewed ones.
   */
  ServerTls build(ListenerTls config, boolean http2, List<CertificateMaterial> materials)
      throws TlsSetupException {
    Map<Set<String>, List<Loaded>> groups = new LinkedHashMap<>();
    for (int i = 0; i < config.getCertificatesCount(); i++) {
      Loaded loaded = load(config.getCertificates(i), materials.get(i), "certificates[" + i + "]");
      groups.computeIfAbsent(loaded.names(), k -> new ArrayList<>()).add(loaded);
    }
    ContextSettings settings = ContextSettings.of(config, engine.get());
    Map<String, SslContext> byName = new LinkedHashMap<>();
    List<SslContext> contexts = new ArrayList<>();
    Map<SslContext, byte[]> ocsp = new java.util.IdentityHashMap<>();
    for (List<Loaded> group : groups.values()) {
      SslContext context = context(group, settings, http2 ? ALPN_H2 : ALPN_HTTP_1);
      contexts.add(context);
      group.get(0).names().forEach(n -> byName.putIfAbsent(n, context));
      group.stream()
          .filter(l -> l.ocsp() != null)
          .findFirst()
          .ifPresent(l -> ocsp.put(context, l.ocsp()));
    }
    boolean refuse = config.getUnknownServerName() == ListenerTls.UnknownServerName.REFUSE;
    return new ServerTls(
        new ServerNames(byName, refuse ? null : contexts.get(0)),
        contexts,
        ocsp,
        settings.handshakeTimeoutMillis(),
        settings.maxHandshakes(),
        settings.recordSize(),
        config.getPreferServerCiphers(),
        config.hasClientVerification());
  }

  /** A certificate read from disk, with the names it serves and its staple. */
  record Loaded(String field, CertificateMaterial material, Set<String> names, byte[] ocsp) {}

  private Loaded load(Certificate c, CertificateMaterial material, String field)
      throws TlsSetupException {
    Set<String> names = new TreeSet<>();
    c.getServerNamesList().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
    if (names.isEmpty()) {
      names.addAll(dnsNames(material.leaf()));
    }
    byte[] ocsp = null;
    if (!c.getOcspResponseFile().isEmpty()) {
      if (engine.get() != TlsEngine.OPENSSL) {
        throw new TlsSetupException(
            field + ".ocsp_response_file",
            "OCSP stapling needs the OpenSSL engine; this node runs the JDK's");
      }
      try {
        ocsp = Files.readAllBytes(Path.of(c.getOcspResponseFile()));
      } catch (IOException e) {
        throw new TlsSetupException(
            field + ".ocsp_response_file",
            c.getOcspResponseFile() + " cannot be read: " + e.getMessage());
      }
    }
    return new Loaded(field, material, names, ocsp);
  }

  /** The DNS names of a certificate's subjectAltName, lower case. */
  static Set<String> dnsNames(X509Certificate leaf) {
    Set<String> names = new LinkedHashSet<>();
    try {
      var sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return names;
    }
    return names;
  }

  private SslContext context(List<Loaded> group, ContextSettings settings, List<String> alpn)
      throws TlsSetupException {
    try {
      return settings.build(
          KeyStores.keyManager(group.stream().map(Loaded::material).toList()),
          new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              alpn));
    } catch (SSLException e) {
      throw new TlsSetupException(group.get(0).field(), "cannot serve: " + e.getMessage());
    }
  }
}
