package dev.wharf.cli.nginx;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.Header;
import dev.wharf.proto.config.v1.Route;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Header directives as route header rules: {@code proxy_set_header} (request, set), {@code
 * add_header} (response, add; {@code always: false} unless it says {@code always}) and {@code
 * proxy_hide_header} (response, remove), each inherited as a whole from the nearest level that has
 * any, as nginx does.
 *
 * <p>The WebSocket idiom ({@code Upgrade $http_upgrade}, {@code Connection $connection_upgrade} or
 * {@code "upgrade"}) and {@code Connection ""} for upstream keep-alive are not needed: Wharf relays
 * upgrades and keeps upstream connections alive by itself, and refuses rules for hop-by-hop
 * headers.
 */
final class Headers {
  private static final Set<String> MANAGED =
      Set.of(
          "connection",
          "proxy-connection",
          "keep-alive",
          "te",
          "transfer-encoding",
          "upgrade",
          "content-length");
  private static final Set<String> CONNECTION_NOT_NEEDED =
      Set.of("upgrade", "$connection_upgrade", "keep-alive", "");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final String WEBSOCKET =
      "Wharf relays WebSocket upgrades itself; the "
          + "Upgrade and Connection headers (and the map that feeds them) are not needed";

  private Headers() {}

  /** {@code proxy_set_header} in force, as the route's request header rules. */
  static void request(Scope scope, Ledger ledger, Route.Builder route) {
    for (Directive d : scope.nearestAll("proxy_set_header")) {
      String name = d.arg(0);
      String lower = name.toLowerCase(Locale.ROOT);
      String value = d.arg(1);
      if (lower.equals("upgrade")) {
        ledger.notNeeded(d, WEBSOCKET);
      } else if (lower.equals("connection")
          && CONNECTION_NOT_NEEDED.contains(value.toLowerCase(Locale.ROOT))) {
        ledger.notNeeded(
            d, value.isEmpty() ? "Wharf keeps upstream connections alive itself" : WEBSOCKET);
      } else {
        problem(d, Phase.UPSTREAM)
            .ifPresentOrElse(
                p -> ledger.notTranslated(d, p),
                () -> {
                  route.getRequestHeadersBuilder().addSet(header(name, value));
                  ledger.translated(d);
                });
      }
    }
  }

  /**
   * nginx sends {@code Host: $proxy_host} (the proxy_pass host, with its port unless it is 80) when
   * no {@code proxy_set_header Host} is in force; Wharf would send the client's. The rule added
   * here keeps what the backend receives the same.
   */
  static void defaultHost(ProxyPassUrl url, Route.Builder route) {
    boolean set =
        route.getRequestHeaders().getSetList().stream()
            .anyMatch(h -> h.getName().equalsIgnoreCase("host"));
    if (!set) {
      String host =
          url.port() == 0 || url.port() == 80 ? url.host() : url.host() + ":" + url.port();
      route.getRequestHeadersBuilder().addSet(header("Host", host));
    }
  }

  /** {@code add_header} and, for a proxy route, {@code proxy_hide_header} in force. */
  static void response(Scope scope, Ledger ledger, Route.Builder route, boolean proxied) {
    for (Directive d : scope.nearestAll("add_header")) {
      problem(d, Phase.RESPONSE)
          .ifPresentOrElse(
              p -> ledger.notTranslated(d, p),
              () -> {
                Header.Builder added = header(d.arg(0), d.arg(1)).toBuilder();
                if (d.args().size() == 2) {
                  // nginx's add_header without `always` skips errors; Wharf's default is always.
                  added.setAlways(false);
                }
                route.getResponseHeadersBuilder().addAdd(added);
                ledger.translated(d);
              });
    }
    if (!proxied) {
      return;
    }
    for (Directive d : scope.nearestAll("proxy_hide_header")) {
      if (d.args().size() != 1 || !TOKEN.matcher(d.arg(0)).matches()) {
        ledger.notTranslated(d, "'" + d.arg(0) + "' is not a header name");
      } else if (MANAGED.contains(d.arg(0).toLowerCase(Locale.ROOT))) {
        ledger.notNeeded(d, d.arg(0) + " is a hop-by-hop or framing header Wharf handles itself");
      } else {
        route.getResponseHeadersBuilder().addRemove(d.arg(0));
        ledger.translated(d);
      }
    }
  }

  /** Why {@code d} (NAME VALUE [always]) cannot be a header rule rendered at {@code phase}. */
  private static Optional<String> problem(Directive d, Phase phase) {
    boolean always = d.args().size() == 3 && d.arg(2).equals("always");
    if (d.args().size() != 2 && !always) {
      return Optional.of("'" + d.text() + "' is not NAME VALUE");
    }
    if (!TOKEN.matcher(d.arg(0)).matches()) {
      return Optional.of("'" + d.arg(0) + "' is not a header name");
    }
    if (MANAGED.contains(d.arg(0).toLowerCase(Locale.ROOT))) {
      return Optional.of(d.arg(0) + " is a hop-by-hop or framing header Wharf sets itself");
    }
    return Templates.problem(d.arg(1), phase, -1);
  }

  private static Header header(String name, String value) {
    return Header.newBuilder().setName(name).setValue(value).build();
  }
}
