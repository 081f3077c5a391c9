package dev.wharf.cli.nginx;

import dev.wharf.config.Addresses;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code listen} directive's address ({@code *} for any) and port, its {@code ssl} and {@code
 * proxy_protocol} parameters, and what of it is not carried over.
 *
 * @param notes differences to check by hand
 * @param http2 true for {@code http2} (or the older {@code spdy}): HTTP/2 on the whole address
 */
record ListenAddress(
    String host,
    int port,
    boolean ipv6Wildcard,
    boolean ssl,
    boolean proxyProtocol,
    boolean http2,
    List<String> notes) {
  static Either<ListenAddress> parse(Directive listen) {
    String spec = listen.arg(0);
    List<String> notes = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    boolean ssl = false;
    boolean proxyProtocol = false;
    boolean http2 = false;
    for (String param :
        listen.args().subList(Math.min(1, listen.args().size()), listen.args().size())) {
      switch (param.replaceAll("=.*", "")) {
        case "default_server", "default" -> {}
        case "ssl" -> ssl = true;
        case "proxy_protocol" -> proxyProtocol = true;
        case "http2", "spdy" -> http2 = true;
        case "quic", "http3" -> {
          return Either.problem(
              "HTTP/3 runs over UDP (QUIC); Wharf serves HTTP/1.1 over TCP, "
                  + "so this listen is not translated");
        }
        default -> ignored.add(param);
      }
    }
    if (!ignored.isEmpty()) {
      notes.add("the socket options " + String.join(" ", ignored) + " are not carried over");
    }
    if (spec.startsWith("unix:")) {
      return Either.problem("Wharf listens on TCP, not on Unix sockets");
    }
    String host = "*";
    String port = "80";
    boolean ipv6 = false;
    if (spec.matches("\\d+")) {
      port = spec;
    } else if (spec.startsWith("[")) {
      int close = spec.indexOf(']');
      host = close < 0 ? spec : spec.substring(1, close);
      port = close >= 0 && spec.startsWith("]:", close) ? spec.substring(close + 2) : "80";
      ipv6 = true;
    } else if (spec.contains(":")) {
      host = spec.substring(0, spec.lastIndexOf(':'));
      port = spec.substring(spec.lastIndexOf(':') + 1);
    } else {
      host = spec;
    }
    boolean ipv6Wildcard = ipv6 && host.equals("::");
    if (ipv6Wildcard || host.equals("0.0.0.0")) {
      host = "*";
    } else if (host.equals("localhost")) {
      host = "127.0.0.1";
      notes.add("localhost listens on 127.0.0.1 only");
    } else if (!host.equals("*") && !Addresses.isIpLiteral(host)) {
      return Either.problem("Wharf listens on IP addresses, not host names ('" + host + "')");
    }
    String bound = host;
    boolean tls = ssl;
    boolean proxied = proxyProtocol;
    boolean h2 = http2;
    return Values.number(port, 1, 65535)
        .map(p -> Either.of(new ListenAddress(bound, p, ipv6Wildcard, tls, proxied, h2, notes)))
        .orElse(Either.problem("'" + port + "' is not a port"));
  }
}
