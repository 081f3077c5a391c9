package dev.wharf.config;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The routes of a config that a valid earlier config already had, word for word, and whose
 * references still resolve: {@link RouteRules} would find nothing wrong with them, so checking them
 * again is skipped. What makes this sound: the rules for one route look at that route alone, apart
 * from the listeners and the upstream it names, which are looked up again here; the index in the
 * error path changes only the message of a problem that cannot occur. The rules that compare routes
 * ({@link RouteConflicts}, unique names) still see every route.
 *
 * <p>Which routes are equal is the {@link RouteDelta}'s finding, made once per change.
 */
final class UnchangedRoutes {
  private UnchangedRoutes() {}

  /**
   * Indexes of {@code config}'s routes that the config {@code delta} compares against (one that
   * passed {@link ConfigValidator#validate(Config)}) has equal, with every listener and the
   * upstream they name present in {@code listeners} and {@code upstreams}.
   */
  static BitSet of(Config config, RouteDelta delta, Set<String> listeners, Set<String> upstreams) {
    BitSet unchanged = new BitSet(config.getRoutesCount());
    Config previous = delta.previous();
    if (previous == null
        || previous.getRoutesCount() == 0
        || !previous.getMapsList().equals(config.getMapsList())
        || !previous.getRateLimitZonesList().equals(config.getRateLimitZonesList())) {
      return unchanged; // a route's variables and zones are looked up in these
    }
    // The same listener and upstream names as the valid config: its routes resolved there.
    boolean sameNames =
        names(previous.getListenersList(), Listener::getName).equals(listeners)
            && names(previous.getUpstreamsList(), Upstream::getName).equals(upstreams);
    for (int i = 0; i < config.getRoutesCount(); i++) {
      if (delta.earlier(i) >= 0
          && (sameNames || resolves(config.getRoutes(i), listeners, upstreams))) {
        unchanged.set(i);
      }
    }
    return unchanged;
  }

  private static <T> Set<String> names(List<T> items, Function<T, String> name) {
    Set<String> names = new HashSet<>();
    for (T item : items) {
      String n = name.apply(item);
      if (!n.isEmpty()) {
        names.add(n);
      }
    }
    return names;
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
