package dev.wharf.config;

import dev.wharf.proto.config.v1.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds routes that can never be chosen because an earlier route matches exactly the same requests:
 * the same path match ({@link PathMatches#sameMatchKey}, nginx's "duplicate location") for the same
 * host pattern ({@link HostPattern#parse}) on a common listener. The data plane's tables use the
 * same two definitions, so a route refused here is the route they would never choose.
 *
 * <p>Routes are grouped by host and path first, so the check stays linear in the route count.
 */
final class RouteConflicts {
  /** The virtual host of the routes without hosts (nginx's default server). */
  private static final HostPattern EVERY_HOST = new HostPattern(HostPattern.Form.EXACT, "");

  /** A virtual host and a path match in it. */
  private record Location(HostPattern host, String path) {}

  private RouteConflicts() {}

  static void check(List<Route> routes, Problems problems) {
    Map<Location, List<Integer>> byHostAndPath = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      if (!PathMatches.isSet(route.getMatch().getPath())) {
        continue; // a missing path match is reported by RouteRules
      }
      String pathKey = PathMatches.sameMatchKey(route.getMatch().getPath());
      Integer clash = null;
      for (HostPattern host : hostsOf(route)) {
        List<Integer> earlier =
            byHostAndPath.computeIfAbsent(new Location(host, pathKey), k -> new ArrayList<>());
        for (int j : earlier) {
          if (clash == null && shareListener(routes.get(j), route)) {
            clash = j;
          }
        }
        earlier.add(i);
      }
      if (clash != null) {
        problems.add(
            "routes[" + i + "].match",
            "matches the same requests as routes["
                + clash
                + "] ('"
                + routes.get(clash).getName()
                + "'), which comes first, so this route "
                + "would never be used");
      }
    }
  }

  /** An empty listener list means every listener. */
  private static boolean shareListener(Route a, Route b) {
    return a.getListenersCount() == 0
        || b.getListenersCount() == 0
        || a.getListenersList().stream().anyMatch(b.getListenersList()::contains);
  }

  private static List<HostPattern> hostsOf(Route r) {
    return r.getMatch().getHostsCount() == 0
        ? List.of(EVERY_HOST)
        : r.getMatch().getHostsList().stream().map(HostPattern::parse).toList();
  }
}
