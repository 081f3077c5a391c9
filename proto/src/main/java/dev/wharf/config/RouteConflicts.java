package dev.wharf.config;

import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    check(routes, new BitSet(), problems);
  }

  /**
   * As {@link #check(List, Problems)}, knowing that no two routes in {@code unchanged} clash with
   * each other (a valid config had them all): every clash has a changed route in it, so only the
   * routes with the path of a changed route are grouped. Same errors, in the same order.
   */
  static void check(List<Route> routes, BitSet unchanged, Problems problems) {
    BitSet candidates = new BitSet(routes.size());
    if (unchanged.isEmpty()) {
      candidates.set(0, routes.size());
    } else {
      Set<String> changedPaths = new HashSet<>();
      for (int i = unchanged.nextClearBit(0);
          i < routes.size();
          i = unchanged.nextClearBit(i + 1)) {
        PathMatch path = routes.get(i).getMatch().getPath();
        if (PathMatches.isSet(path)) {
          changedPaths.add(PathMatches.value(path));
        }
      }
      if (changedPaths.isEmpty()) {
        return; // unchanged routes alone never clash
      }
      String[] few = changedPaths.size() <= 8 ? changedPaths.toArray(new String[0]) : null;
      for (int i = 0; i < routes.size(); i++) {
        PathMatch path = routes.get(i).getMatch().getPath();
        if (PathMatches.isSet(path) && isOneOf(PathMatches.value(path), few, changedPaths)) {
          candidates.set(i);
        }
      }
    }
    Map<Location, List<Integer>> byHostAndPath = new HashMap<>();
    for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
      checkOne(routes, i, byHostAndPath, problems);
    }
  }

  /**
   * Whether {@code routes} can be known free of clashes from the changed routes alone: the names
   * are in place of those of the valid config {@code delta} compares against, and each changed
   * route has the match and the listeners of the earlier route at its index. Every route then has,
   * at its index, the hosts, path match and listeners a route of the valid config had there, and
   * that config had no clash. A change of a route's action, headers or limits so costs the changed
   * routes, not a pass over every route's path.
   */
  static boolean matchesInPlace(List<Route> routes, RouteDelta delta) {
    if (!delta.namesInPlace() || !delta.isFor(routes)) {
      return false;
    }
    List<Route> earlier = delta.earlierRoutes();
    for (int i : delta.changedIndexes()) {
      Route now = routes.get(i);
      Route before = earlier.get(i);
      if (!now.getMatch().equals(before.getMatch())
          || !now.getListenersList().equals(before.getListenersList())) {
        return false;
      }
    }
    return true;
  }

  /** A set lookup, or for a few values a scan that needs no hash of {@code value}. */
  private static boolean isOneOf(String value, String[] few, Set<String> all) {
    if (few == null) {
      return all.contains(value);
    }
    for (String v : few) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** Route {@code i} against the earlier routes grouped so far, then grouped itself. */
  private static void checkOne(
      List<Route> routes, int i, Map<Location, List<Integer>> byHostAndPath, Problems problems) {
    Route route = routes.get(i);
    if (!PathMatches.isSet(route.getMatch().getPath())) {
      return; // a missing path match is reported by RouteRules
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
