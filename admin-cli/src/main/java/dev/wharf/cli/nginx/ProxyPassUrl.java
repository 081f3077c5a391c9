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
 * @param variables the URI part has variables: it is the whole target sent, made per request
 */
record ProxyPassUrl(String host, int port, String uri, boolean tls, boolean variables) {
  /**
   * The URL, or the reason Wharf cannot proxy to it. Variables are allowed in the URI part only; a
   * host made of a variable is resolved first ({@link #withHostResolved}).
   */
  static Either<ProxyPassUrl> parse(String url) {
    int scheme = url.indexOf("://");
    int firstSlash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
    if ((firstSlash < 0 ? url : url.substring(0, firstSlash)).contains("$")) {
      return Either.problem(
          "the host of '"
              + url
              + "' is a variable that only a request decides; "
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
    return Either.of(
        new ProxyPassUrl(host, portNumber.get(), uri, tls, uri != null && uri.contains("$")));
  }

  /**
   * {@code url} with a host written as one variable ({@code http://$backend/...}) replaced by the
   * value a {@code set $backend VALUE;} in force gives it, when VALUE has no variables itself
   * (nginx then proxies to the upstream or address it names). Unchanged otherwise.
   */
  static String withHostResolved(String url, Scope scope, Ledger ledger, Directive proxyPass) {
    int scheme = url.indexOf("://");
    if (scheme < 0 || scheme + 3 >= url.length() || url.charAt(scheme + 3) != '$') {
      return url;
    }
    int start = scheme + 4;
    int end = start;
    while (end < url.length()
        && (Character.isLetterOrDigit(url.charAt(end)) || url.charAt(end) == '_')) {
      end++;
    }
    String name = "$" + url.substring(start, end);
    java.util.List<Directive> sets =
        scope.nearestWhere(
            d -> d.name().equals("set") && d.args().size() == 2 && d.arg(0).equals(name));
    if (sets.size() != 1 || sets.get(0).arg(1).contains("$") || sets.get(0).arg(1).isEmpty()) {
      return url;
    }
    ledger.check(
        sets.get(0),
        "used only as the upstream of the proxy_pass at line "
            + proxyPass.origin().line()
            + ", which is translated with this value");
    return url.substring(0, scheme + 3) + sets.get(0).arg(1) + url.substring(end);
  }
}
