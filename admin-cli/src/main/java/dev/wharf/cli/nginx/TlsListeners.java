package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Listeners.Served;
import dev.wharf.proto.config.v1.Certificate;
import dev.wharf.proto.config.v1.ListenerTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code tls} of a listener that some {@code listen ... ssl} names: the {@code
 * ssl_certificate}/{@code ssl_certificate_key} pairs of every server on it, each serving that
 * server's names, the default server's (or the first server's) first, as it is the certificate
 * nginx gives clients without SNI; and the listener-wide settings ({@link TlsSettings}) of the
 * first server.
 */
final class TlsListeners {
  private final Ledger ledger;
  private final TlsSettings settings;

  TlsListeners(Ledger ledger) {
    this.ledger = ledger;
    this.settings = new TlsSettings(ledger);
  }

  ListenerTls build(String listenerName, List<Served> servers) {
    ListenerTls.Builder tls = ListenerTls.newBuilder();
    List<Certificate.Builder> certificates = new ArrayList<>();
    for (Served s : servers) {
      for (Certificate c : certificates(s)) {
        merge(certificates, c);
      }
    }
    certificates.forEach(tls::addCertificates);
    settings.apply(listenerName, tls, servers);
    return tls.build();
  }

  /** Adds {@code c}, or its names to a certificate of the same files already there. */
  private static void merge(List<Certificate.Builder> certificates, Certificate c) {
    for (Certificate.Builder known : certificates) {
      boolean sameFiles =
          known.getCertificateFile().equals(c.getCertificateFile())
              && known.getKeyFile().equals(c.getKeyFile())
              && known.getOcspResponseFile().equals(c.getOcspResponseFile());
      if (sameFiles && (known.getServerNamesCount() == 0) == (c.getServerNamesCount() == 0)) {
        c.getServerNamesList().stream()
            .filter(n -> !known.getServerNamesList().contains(n))
            .forEach(known::addServerNames);
        return;
      }
    }
    certificates.add(c.toBuilder());
  }

  /** The certificates of one server, in the order written; reports what cannot be one. */
  private List<Certificate> certificates(Served s) {
    Scope scope = s.scope();
    List<Directive> certs = scope.nearestAll("ssl_certificate");
    List<Directive> keys = scope.nearestAll("ssl_certificate_key");
    List<Certificate> out = new ArrayList<>();
    if (certs.isEmpty()) {
      if (!rejectsHandshakes(scope)) {
        ledger.notTranslated(
            s.listen() == null ? s.server() : s.listen(),
            "no ssl_certificate for this TLS server (nginx refuses its handshakes); "
                + "it gets no certificate of its own");
      }
      return out;
    }
    List<String> names = certificateNames(s);
    Optional<String> ocsp = ocspFile(scope, certs.size());
    for (int i = 0; i < certs.size(); i++) {
      Directive cert = certs.get(i);
      Directive key = i < keys.size() ? keys.get(i) : null;
      Optional<String> problem = pairProblem(cert, key);
      if (problem.isPresent()) {
        ledger.notTranslated(cert, problem.get());
        if (key != null) {
          ledger.notTranslated(
              key, "its ssl_certificate (" + cert.origin() + ") is not translated");
        }
        continue;
      }
      Certificate.Builder c =
          Certificate.newBuilder()
              .setCertificateFile(cert.arg(0))
              .setKeyFile(key.arg(0))
              .addAllServerNames(names);
      ocsp.ifPresent(c::setOcspResponseFile);
      out.add(c.build());
      paths(cert);
      paths(key);
    }
    for (Directive extra : keys.subList(Math.min(certs.size(), keys.size()), keys.size())) {
      ledger.notTranslated(extra, "no ssl_certificate pairs with this key");
    }
    return out;
  }

  private static boolean rejectsHandshakes(Scope scope) {
    return scope.nearest("ssl_reject_handshake").map(d -> d.arg(0).equals("on")).orElse(false);
  }

  private static Optional<String> pairProblem(Directive cert, Directive key) {
    if (key == null) {
      return Optional.of("no ssl_certificate_key pairs with this certificate");
    }
    for (Directive d : List.of(cert, key)) {
      String path = d.arg(0);
      if (path.contains("$")) {
        return Optional.of(
            "a path with variables ("
                + path
                + ") picks the certificate per handshake; Wharf "
                + "certificates name their files: write one certificate per server name by hand");
      }
      if (path.startsWith("data:") || path.startsWith("engine:")) {
        return Optional.of("Wharf reads certificates and keys from PEM files, not " + path);
      }
    }
    return Optional.empty();
  }

  /** A relative path is read from nginx's prefix, but from the node's working directory here. */
  private void paths(Directive d) {
    if (d.arg(0).startsWith("/")) {
      ledger.translated(d);
    } else {
      ledger.check(
          d,
          "a relative path: nginx reads it below its configuration prefix, a Wharf node "
              + "from its working directory; write it as an absolute path");
    }
  }

  /**
   * The server's exact and wildcard names, as certificate names ({@code .example.com} is {@code
   * example.com} and {@code *.example.com}); regex and {@code example.*} names are reported, as
   * they cannot select a certificate.
   */
  private List<String> certificateNames(Served s) {
    List<String> out = new ArrayList<>();
    List<String> unusable = new ArrayList<>();
    for (String host : s.hosts()) {
      if (host.startsWith("~") || host.endsWith(".*")) {
        unusable.add(host);
      } else if (host.startsWith(".")) {
        out.add(host.substring(1));
        out.add("*" + host);
      } else {
        out.add(host);
      }
    }
    if (!unusable.isEmpty()) {
      s.scope()
          .ownFirst("server_name")
          .ifPresent(
              d ->
                  ledger.check(
                      d,
                      "Wharf picks certificates by exact and wildcard (*.example.com) names; "
                          + String.join(" ", unusable)
                          + " select no certificate, so such clients get the listener's "
                          + "default certificate"));
    }
    return out.stream().distinct().toList();
  }

  /**
   * The {@code ssl_stapling_file} when stapling is on; {@code ssl_stapling on} without one is
   * reported, as Wharf staples only from a file.
   */
  private Optional<String> ocspFile(Scope scope, int certificates) {
    Optional<Directive> stapling = scope.nearest("ssl_stapling");
    Optional<Directive> file = scope.nearest("ssl_stapling_file");
    if (stapling.isEmpty() || !stapling.get().arg(0).equals("on")) {
      stapling.ifPresent(d -> ledger.notNeeded(d, "stapling is off, as in Wharf by default"));
      file.ifPresent(d -> ledger.notNeeded(d, "ssl_stapling is off"));
      return Optional.empty();
    }
    if (file.isEmpty()) {
      ledger.notTranslated(
          stapling.get(),
          "Wharf staples OCSP responses only from a file: fetch the response "
              + "(openssl ocsp ... -respout FILE) on a schedule and name it in ssl_stapling_file");
      return Optional.empty();
    }
    ledger.translated(stapling.get());
    if (certificates > 1) {
      ledger.check(
          file.get(),
          "stapled on each of the server's "
              + certificates
              + " certificates, as nginx does; an OCSP response is for one certificate, so give "
              + "each its own ocsp_response_file by hand");
    } else {
      ledger.translated(file.get());
    }
    return Optional.of(file.get().arg(0));
  }
}
