package dev.wharf.cli.nginx;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code map} blocks. The WebSocket idiom {@code map $http_upgrade $connection_upgrade { default
 * upgrade; '' close; }} is recognised: it only feeds the {@code Connection} header of upgrades,
 * which Wharf relays by itself. Any other map defines a variable Wharf does not have.
 */
final class Maps {
  private Maps() {}

  static void translate(Directive map, Ledger ledger) {
    Set<String> keys = map.children().stream().map(Directive::name).collect(Collectors.toSet());
    boolean idiom =
        map.arg(0).equals("$http_upgrade")
            && map.children().size() == 2
            && keys.equals(Set.of("default", ""));
    if (idiom) {
      ledger.notNeededBlock(
          map,
          "the WebSocket idiom: Wharf relays upgrades itself, so the "
              + "Connection header set from "
              + map.arg(1)
              + " is not needed");
    } else {
      ledger.notTranslatedBlock(
          map, "Wharf has no map; " + map.arg(1) + " has no value of yours in Wharf");
    }
  }
}
