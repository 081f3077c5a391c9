package dev.wharf.config;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which routes of a config the config before it had word for word, found once per change and shared
 * by everything that reuses work for them: {@link ConfigValidator#validate(Config, RouteDelta)} and
 * the data plane's routing-table compile. A route is found by its name (names are unique in a valid
 * config) at its own index first, else anywhere, and compared by identity, else by value: a config
 * parsed from the wire shares no object with the one before and costs one walk of each route, so
 * this is the only walk that compares routes by value.
 *
 * <p>Immutable; computing it is pure and thread-safe.
 */
public final class RouteDelta {
  private final List<Route> routes;
  private final Config previous;
  private final List<Route> previousRoutes;
  private final int[] earlier;
  private final int changed;
  private final boolean namesInPlace;

  private RouteDelta(
      List<Route> routes, Config previous, int[] earlier, int changed, boolean namesInPlace) {
    this.routes = routes;
    this.previous = previous;
    this.previousRoutes = previous == null ? List.of() : previous.getRoutesList();
    this.earlier = earlier;
    this.changed = changed;
    this.namesInPlace = namesInPlace;
  }

  /** How {@code config}'s routes relate to those of {@code previous} (null: no config before). */
  public static RouteDelta of(Config config, Config previous) {
    List<Route> routes = config.getRoutesList();
    int[] earlier = new int[routes.size()];
    if (previous == null) {
      Arrays.fill(earlier, -1);
      return new RouteDelta(routes, null, earlier, routes.size(), false);
    }
    List<Route> before = previous.getRoutesList();
    boolean inPlace = before.size() == routes.size();
    Map<String, Integer> byName = null;
    int changed = 0;
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      if (i < before.size() && before.get(i) == route) {
        earlier[i] = i; // the same object (a decoder took it over): not even its name is read
        continue;
      }
      int j = i;
      if (i >= before.size() || !before.get(i).getName().equals(route.getName())) {
        inPlace = false;
        if (byName == null) {
          byName = byName(before);
        }
        j = byName.getOrDefault(route.getName(), -1);
      }
      if (j >= 0 && before.get(j) != route && !before.get(j).equals(route)) {
        j = -1;
      }
      earlier[i] = j;
      if (j < 0) {
        changed++;
      }
    }
    return new RouteDelta(routes, previous, earlier, changed, inPlace);
  }

  private static Map<String, Integer> byName(List<Route> routes) {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      byName.putIfAbsent(routes.get(i).getName(), i);
    }
    return byName;
  }

  /** The config before, or null. */
  Config previous() {
    return previous;
  }

  /** Whether this delta was computed for exactly these routes (the same list object). */
  boolean isFor(List<Route> routes) {
    return this.routes == routes;
  }

  /**
   * Whether this delta compares against exactly these earlier routes (the same list object): what a
   * caller checks before it takes over work it did for them.
   */
  public boolean isAgainst(List<Route> previousRoutes) {
    return this.previousRoutes == previousRoutes && !previousRoutes.isEmpty();
  }

  /** The index of the earlier config's route equal to route {@code i}; -1 when there is none. */
  public int earlier(int i) {
    return earlier[i];
  }

  /** How many routes the earlier config did not have word for word. */
  public int changed() {
    return changed;
  }

  /**
   * The indexes of the routes the earlier config did not have word for word, ascending: what a
   * caller that takes over everything else visits, so that its cost is that of the change.
   */
  public int[] changedIndexes() {
    int[] indexes = new int[changed];
    for (int i = 0, k = 0; k < changed; i++) {
      if (earlier[i] < 0) {
        indexes[k++] = i;
      }
    }
    return indexes;
  }

  /**
   * The routes of the earlier config in its order: {@code earlierRoutes().get(i)} is the route that
   * had route {@code i}'s name at its index when {@link #namesInPlace}.
   */
  public List<Route> earlierRoutes() {
    return previousRoutes;
  }

  /**
   * Whether both configs have the same number of routes and every route has the name of the earlier
   * route at its index: the earlier config's names were unique, so these are.
   */
  public boolean namesInPlace() {
    return namesInPlace;
  }
}
