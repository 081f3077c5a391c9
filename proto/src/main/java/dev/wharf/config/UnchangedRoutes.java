package dev.wharf.config;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of a config that a valid earlier config already had, word for word, and whose
 * references still resolve: {@link RouteRules} would find nothing wrong with them, so checking them
 * again is skipped. What makes this sound: the rules for one route look at that route alone, apart
 * from the listeners and the upstream it names, which are looked up again here; the index in the
 * error path changes only the message of a problem that cannot occur. The rules that compare routes
 * ({@link RouteConflicts}, unique names) still see every route.
 *
 * <p>A route is found by its name (names are unique in a valid config) and compared by identity
 * first, then structurally: a config built from the earlier one shares its unchanged routes, one
 * parsed from the wire does not and costs one walk of each route.
 */
final class UnchangedRoutes {
  private UnchangedRoutes() {}

  /**
   * Indexes of {@code config}'s routes that {@code previous} (a config that passed {@link
   * ConfigValidator#validate(Config)}) has equal, with every listener and the upstream they name
   * present in {@code listeners} and {@code upstreams}.
   */
  static BitSet of(Config config, Config previous, Set<String> listeners, Set<String> upstreams) {
    BitSet unchanged = new BitSet(config.getRoutesCount());
    if (previous == null
        || previous.getRoutesCount() == 0
        || !previous.getMapsList().equals(config.getMapsList())
        || !previous.getRateLimitZonesList().equals(config.getRateLimitZonesList())) {
      return unchanged; // a route's variables and zones are looked up in these
    }
    List<Route> before = previous.getRoutesList();
    Map<String, Route> byName = null;
    for (int i = 0; i < config.getRoutesCount(); i++) {
      Route route = config.getRoutes(i);
      Route earlier = i < before.size() ? before.get(i) : null;
      if (earlier == null || !earlier.getName().equals(route.getName())) {
        if (byName == null) {
          byName = byName(before);
        }
        earlier = byName.get(route.getName());
      }
      if (earlier != null
          && (earlier == route || earlier.equals(route))
          && resolves(route, listeners, upstreams)) {
        unchanged.set(i);
      }
    }
    return unchanged;
  }

  private static Map<String, Route> byName(List<Route> routes) {
    Map<String, Route> byName = new HashMap<>();
    for (Route r : routes) {
      byName.putIfAbsent(r.getName(), r);
    }
    return byName;
  }

  private static boolean resolves(Route route, Set<String> listeners, Set<String> upstreams) {
    for (String l : route.getListenersList()) {
      if (!listeners.contains(l)) {
        return false;
      }
    }
    return !route.hasProxy() || upstreams.contains(route.getProxy().getUpstream());
  }
}
