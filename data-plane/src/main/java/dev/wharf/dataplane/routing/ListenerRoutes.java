package dev.wharf.dataplane.routing;

import dev.wharf.config.HostPattern;
import dev.wharf.config.PathMatches;
import dev.wharf.dataplane.proxy.ProxyTarget;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The routes of one listener as compiled for one snapshot: each route's {@link CompiledRoute}, and
 * the virtual hosts they form, each a {@link LocationTable} over the routes that list its host
 * pattern. Kept in the {@link RoutingTable} so that the next snapshot's compile can take over what
 * did not change: a route equal to one of this snapshot keeps its compiled route, and a virtual
 * host whose routes are all the same compiled routes, in the same order, keeps its location table.
 * A one-route change to a large config so costs that route and the virtual hosts it is in.
 *
 * <p>Immutable once built; built on the config thread.
 */
final class ListenerRoutes {
  /** A virtual host: its routes in config order, and the table built from them. */
  private record VirtualHost(List<CompiledRoute> routes, LocationTable<CompiledRoute> table) {}

  private final Compression compression;

  /** By index in the snapshot's route list; null for routes not on this listener. */
  private final CompiledRoute[] byRoute;

  /** Each route's host patterns parsed, by the same index; taken over with its compiled route. */
  private final HostPattern[][] patterns;

  private final Map<HostPattern, VirtualHost> hosts;
  private final VirtualHost defaultServer;
  private final HostTable<LocationTable<CompiledRoute>> table;

  private ListenerRoutes(
      Compression compression,
      CompiledRoute[] byRoute,
      HostPattern[][] patterns,
      Map<HostPattern, VirtualHost> hosts,
      VirtualHost defaultServer) {
    this.compression = compression;
    this.byRoute = byRoute;
    this.patterns = patterns;
    this.hosts = hosts;
    this.defaultServer = defaultServer;
    this.table = new HostTable<>();
    hosts.forEach((pattern, host) -> table.add(pattern, host.table()));
    table.setFallback(
        defaultServer != null
            ? defaultServer.table()
            : hosts.values().stream().findFirst().map(VirtualHost::table).orElse(null));
  }

  HostTable<LocationTable<CompiledRoute>> table() {
    return table;
  }

  /**
   * Compiles {@code listener}'s share of {@code routes}.
   *
   * @param proxies each route's compiled proxy action (null entries for other actions)
   * @param limits each route's compiled limits
   * @param earlier for each route, the index of the same route, with the same proxy action, in the
   *     snapshot {@code previous} was compiled for; -1 when there is none
   * @param previous this listener's routes in the snapshot that serves, or null
   * @param touched null, or the only routes that may differ from those at their index in {@code
   *     previous}'s snapshot (ascending; the others are the same routes with the same targets)
   */
  static ListenerRoutes compile(
      List<Route> routes,
      Listener listener,
      IntFunction<ProxyTarget> proxies,
      IntFunction<RouteLimits> limits,
      int[] earlier,
      ListenerRoutes previous,
      int[] touched) {
    ListenerRoutes reusable =
        previous != null && previous.compression.equals(listener.getCompression())
            ? previous
            : null;
    if (reusable != null && touched != null) {
      ListenerRoutes inPlace =
          reusable.inPlace(routes, listener, proxies, limits, earlier, touched);
      if (inPlace != null) {
        return inPlace;
      }
    }
    CompiledRoute[] byRoute = new CompiledRoute[routes.size()];
    HostPattern[][] patterns = new HostPattern[routes.size()][];
    Map<HostPattern, List<CompiledRoute>> members = new LinkedHashMap<>();
    List<CompiledRoute> defaultMembers = null;
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      if (route.getListenersCount() > 0 && !route.getListenersList().contains(listener.getName())) {
        continue;
      }
      CompiledRoute compiled = reusable == null ? null : reusable.taken(earlier[i], i);
      HostPattern[] hostPatterns;
      if (compiled == null) {
        compiled =
            CompiledRoute.compile(
                i, route, proxies.apply(i), limits.apply(i), listener.getCompression());
        hostPatterns = parse(route);
      } else {
        hostPatterns = reusable.patterns[earlier[i]]; // the same route, so the same hosts
      }
      byRoute[i] = compiled;
      patterns[i] = hostPatterns;
      if (route.getMatch().getHostsCount() == 0) {
        if (defaultMembers == null) {
          defaultMembers = new ArrayList<>();
        }
        defaultMembers.add(compiled);
      }
      for (HostPattern host : hostPatterns) {
        members.computeIfAbsent(host, k -> new ArrayList<>()).add(compiled);
      }
    }
    Map<HostPattern, VirtualHost> hosts = new LinkedHashMap<>();
    members.forEach(
        (pattern, list) ->
            hosts.put(
                pattern, virtualHost(list, reusable == null ? null : reusable.hosts.get(pattern))));
    VirtualHost defaultServer =
        defaultMembers == null
            ? null
            : virtualHost(defaultMembers, reusable == null ? null : reusable.defaultServer);
    return new ListenerRoutes(listener.getCompression(), byRoute, patterns, hosts, defaultServer);
  }

  /**
   * This listener's routes with only the {@code touched} ones compiled again, when each of them is
   * on this listener with the hosts of the route at its index before, or on it neither before nor
   * now: every virtual host then has the same members at the same slots, and only those of the
   * touched routes take them in. Null when that does not hold (the caller compiles in full).
   */
  private ListenerRoutes inPlace(
      List<Route> routes,
      Listener listener,
      IntFunction<ProxyTarget> proxies,
      IntFunction<RouteLimits> limits,
      int[] earlier,
      int[] touched) {
    if (byRoute.length != routes.size()) {
      return null;
    }
    CompiledRoute[] next = byRoute.clone();
    Map<HostPattern, List<CompiledRoute>> changedHosts = new LinkedHashMap<>();
    List<CompiledRoute> changedDefault = null;
    for (int i : touched) {
      Route route = routes.get(i);
      boolean on =
          route.getListenersCount() == 0 || route.getListenersList().contains(listener.getName());
      CompiledRoute before = byRoute[i];
      if (!on && before == null) {
        continue;
      }
      if (!on
          || before == null
          || !before.config().getMatch().getHostsList().equals(route.getMatch().getHostsList())) {
        return null; // the virtual hosts' members change
      }
      CompiledRoute compiled = taken(earlier[i], i);
      if (compiled == null) {
        compiled =
            CompiledRoute.compile(
                i, route, proxies.apply(i), limits.apply(i), listener.getCompression());
      }
      if (compiled == before) {
        continue;
      }
      next[i] = compiled;
      for (HostPattern host : patterns[i]) {
        replace(
            changedHosts.computeIfAbsent(host, h -> new ArrayList<>(hosts.get(h).routes())),
            compiled);
      }
      if (patterns[i].length == 0) {
        if (changedDefault == null) {
          changedDefault = new ArrayList<>(defaultServer.routes());
        }
        replace(changedDefault, compiled);
      }
    }
    Map<HostPattern, VirtualHost> nextHosts = new LinkedHashMap<>(hosts);
    changedHosts.forEach((h, members) -> nextHosts.put(h, virtualHost(members, hosts.get(h))));
    VirtualHost nextDefault =
        changedDefault == null ? defaultServer : virtualHost(changedDefault, defaultServer);
    return new ListenerRoutes(compression, next, patterns, nextHosts, nextDefault);
  }

  /** Puts {@code route} in the slots of the route with its index (members are in index order). */
  private static void replace(List<CompiledRoute> members, CompiledRoute route) {
    int low = 0;
    int high = members.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int index = members.get(mid).index();
      if (index == route.index()) { // a route listing one host twice is a member twice
        for (int k = mid; k >= 0 && members.get(k).index() == index; k--) {
          members.set(k, route);
        }
        for (int k = mid + 1; k < members.size() && members.get(k).index() == index; k++) {
          members.set(k, route);
        }
        return;
      }
      if (index < route.index()) {
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    throw new IllegalStateException("route " + route.index() + " is not in its virtual host");
  }

  private static HostPattern[] parse(Route route) {
    HostPattern[] parsed = new HostPattern[route.getMatch().getHostsCount()];
    for (int h = 0; h < parsed.length; h++) {
      parsed[h] = HostPattern.parse(route.getMatch().getHosts(h));
    }
    return parsed;
  }

  /** The compiled route at {@code earlierIndex}, moved to {@code index}; null when none. */
  private CompiledRoute taken(int earlierIndex, int index) {
    if (earlierIndex < 0 || byRoute[earlierIndex] == null) {
      return null;
    }
    CompiledRoute route = byRoute[earlierIndex];
    return route.index() == index ? route : route.at(index);
  }

  /**
   * {@code earlier} when it holds exactly these compiled routes in this order; its layout with
   * these routes in its slots when they have the path matches and slash redirects of its routes,
   * slot by slot (a change of a route's headers, upstream or limits); else a new table.
   */
  private static VirtualHost virtualHost(List<CompiledRoute> routes, VirtualHost earlier) {
    if (earlier != null && earlier.routes().size() == routes.size()) {
      switch (compare(earlier.routes(), routes)) {
        case SAME:
          return earlier;
        case SAME_LOCATIONS:
          return new VirtualHost(
              List.copyOf(routes), earlier.table().withRoutes(routes, SlashRedirects::of));
        default:
          break;
      }
    }
    LocationTable<CompiledRoute> table =
        LocationTable.of(
            routes,
            ListenerRoutes::checkedPath,
            route -> route.config().getSlashRedirect(),
            SlashRedirects::of);
    return new VirtualHost(List.copyOf(routes), table);
  }

  private enum Likeness {
    SAME,
    SAME_LOCATIONS,
    OTHER
  }

  /** How lists of the same length compare: the same routes, the same locations, or neither. */
  private static Likeness compare(List<CompiledRoute> a, List<CompiledRoute> b) {
    Likeness likeness = Likeness.SAME;
    for (int i = 0; i < a.size(); i++) {
      CompiledRoute x = a.get(i);
      CompiledRoute y = b.get(i);
      if (x == y) {
        continue;
      }
      if (x.config().getSlashRedirect() != y.config().getSlashRedirect()
          || !x.config().getMatch().getPath().equals(y.config().getMatch().getPath())) {
        return Likeness.OTHER;
      }
      likeness = Likeness.SAME_LOCATIONS;
    }
    return likeness;
  }

  private static PathMatch checkedPath(CompiledRoute route) {
    PathMatch path = route.config().getMatch().getPath();
    if (!PathMatches.isSet(path)) {
      throw new IllegalArgumentException(
          "route '" + route.name() + "' has no path match; validate the config first");
    }
    return path;
  }
}
