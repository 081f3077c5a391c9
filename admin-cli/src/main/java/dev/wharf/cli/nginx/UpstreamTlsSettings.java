package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.UpstreamTls;
import java.util.Optional;

/**
 * The {@code tls} of an upstream a {@code proxy_pass https://} uses, from the {@code proxy_ssl_*}
 * settings in force there. nginx does not verify endpoint certificates unless {@code
 * proxy_ssl_verify on}; Wharf does by default, so nginx's effective {@code off} is written out as
 * {@code verify: false} and reported.
 */
final class UpstreamTlsSettings {
  private UpstreamTlsSettings() {}

  static UpstreamTls of(Directive proxyPass, Scope scope, Ledger ledger) {
    UpstreamTls.Builder tls = UpstreamTls.newBuilder();
    verify(proxyPass, scope, ledger, tls);
    scope
        .nearest("proxy_ssl_trusted_certificate")
        .ifPresent(d -> path(d, ledger).ifPresent(tls::setCaFile));
    scope.nearest("proxy_ssl_name").ifPresent(d -> name(d, ledger, tls));
    scope
        .nearest("proxy_ssl_server_name")
        .ifPresent(d -> flag(d, ledger).ifPresent(tls::setSendServerName));
    Optional<Directive> cert = scope.nearest("proxy_ssl_certificate");
    Optional<Directive> key = scope.nearest("proxy_ssl_certificate_key");
    if (cert.isPresent() && key.isPresent()) {
      Optional<String> c = path(cert.get(), ledger);
      Optional<String> k = path(key.get(), ledger);
      if (c.isPresent() && k.isPresent()) {
        tls.setCertificateFile(c.get()).setKeyFile(k.get());
      }
    } else {
      cert.or(() -> key)
          .ifPresent(
              d ->
                  ledger.notTranslated(
                      d, "proxy_ssl_certificate and proxy_ssl_certificate_key go together"));
    }
    scope
        .nearest("proxy_ssl_protocols")
        .ifPresent(d -> TlsSettings.protocols(ledger, d, tls::addAllProtocols));
    scope
        .nearest("proxy_ssl_ciphers")
        .ifPresent(d -> TlsSettings.ciphers(ledger, d, tls::addAllCiphers));
    scope
        .nearest("proxy_ssl_session_reuse")
        .ifPresent(d -> flag(d, ledger).ifPresent(tls::setSessionReuse));
    for (String name :
        new String[] {
          "proxy_ssl_verify_depth",
          "proxy_ssl_crl",
          "proxy_ssl_password_file",
          "proxy_ssl_conf_command"
        }) {
      scope
          .nearest(name)
          .ifPresent(d -> ledger.notTranslated(d, "not configurable for Wharf upstreams"));
    }
    return tls.build();
  }

  private static void verify(
      Directive proxyPass, Scope scope, Ledger ledger, UpstreamTls.Builder tls) {
    Optional<Directive> verify = scope.nearest("proxy_ssl_verify");
    if (verify.isPresent() && verify.get().arg(0).equals("on")) {
      ledger.translated(verify.get());
      return;
    }
    tls.setVerify(false);
    ledger.check(
        verify.orElse(proxyPass),
        "verify: false, as nginx does not verify endpoint certificates unless "
            + "proxy_ssl_verify on; Wharf verifies by default: remove it (and name the CA in "
            + "ca_file) to verify");
  }

  private static void name(Directive d, Ledger ledger, UpstreamTls.Builder tls) {
    String name = d.arg(0);
    if (name.equals("$proxy_host")) {
      ledger.translated(d); // nginx's default: the host of the proxy_pass URL
    } else if (name.contains("$")) {
      ledger.notTranslated(
          d,
          "a name with variables is chosen per request; Wharf sends the endpoint's host "
              + "or one fixed server_name");
    } else {
      tls.setServerName(name);
      ledger.translated(d);
    }
  }

  private static Optional<String> path(Directive d, Ledger ledger) {
    if (d.arg(0).contains("$") || d.arg(0).startsWith("data:")) {
      ledger.notTranslated(d, "Wharf reads certificates from files named without variables");
      return Optional.empty();
    }
    ledger.translated(d);
    return Optional.of(d.arg(0));
  }

  private static Optional<Boolean> flag(Directive d, Ledger ledger) {
    Optional<Boolean> on = Values.flag(d.arg(0));
    if (on.isPresent()) {
      ledger.translated(d);
    } else {
      ledger.notTranslated(d, "'" + d.arg(0) + "' is not on or off");
    }
    return on;
  }
}
