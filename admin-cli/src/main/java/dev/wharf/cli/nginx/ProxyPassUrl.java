package dev.wharf.cli.nginx;

import java.util.Optional;

/**
 * The URL of a {@code proxy_pass}: {@code http://HOST[:PORT][URI]}. Whether it has a URI part, even
 * a lone {@code /}, decides what nginx sends upstream: without one the request's URI goes
 * unchanged; with one the part matched by the location is replaced by it.
 *
 * @param port the port written, or 0 when none is
 * @param uri the URI part, or null when there is none
 * @param tls true for {@code https://}
 */
record ProxyPassUrl(String host, int port, String uri, boolean tls) {
  /** The URL, or the reason Wharf cannot proxy to it. */
  static Either<ProxyPassUrl> parse(String url) {
    if (url.contains("$")) {
      return Either.problem(
          "a proxy_pass with variables picks its target per request; "
              + "a Wharf route names one upstream");
    }
    boolean tls = url.startsWith("https://");
    if (!tls && !url.startsWith("http://")) {
      return Either.problem("'" + url + "' is not an http:// or https:// URL");
    }
    String rest = url.substring(url.indexOf("://") + 3);
    if (rest.startsWith("unix:")) {
      return Either.problem("Wharf connects to endpoints over TCP, not Unix sockets");
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String uri = slash < 0 ? null : rest.substring(slash);
    String host = authority;
    String port = "";
    int close = authority.indexOf(']');
    int colon = authority.lastIndexOf(':');
    if (colon > close) {
      host = authority.substring(0, colon);
      port = authority.substring(colon + 1);
    }
    Optional<Integer> portNumber = port.isEmpty() ? Optional.of(0) : Values.number(port, 1, 65535);
    if (host.isEmpty() || portNumber.isEmpty()) {
      return Either.problem("'" + url + "' has no valid host and port");
    }
    return Either.of(new ProxyPassUrl(host, portNumber.get(), uri, tls));
  }
}
