package dev.wharf.dataplane.routing;

import dev.wharf.config.RouteDelta;
import dev.wharf.dataplane.drain.DrainView;
import dev.wharf.dataplane.http.VariableMaps;
import dev.wharf.dataplane.proxy.ProxyTarget;
import dev.wharf.dataplane.ratelimit.RateLimitZones;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;

/**
 * Every route of one config snapshot, arranged for lookup: per listener, a {@link HostTable} of
 * virtual hosts, each a {@link LocationTable}. Built once per snapshot off the event loops,
 * published by swapping a reference, never changed afterwards; a request reads it once.
 *
 * <p>Virtual hosts: each distinct host pattern of the routes on a listener is one virtual host
 * (nginx's {@code server} block), holding the routes that list it. Routes without hosts form the
 * default server. When there is none, requests for unknown hosts go to the virtual host of the
 * first pattern of the first route on that listener, as nginx sends them to the first {@code
 * server} of a port.
 */
public final class RoutingTable {
  /** The route chosen for a request, and the groups its regex captured (null when none). */
  public record Selection(CompiledRoute route, MatchResult groups) {}

  /** A route by name and its compiled proxy action (null when it is not a proxy route). */
  private record Target(String route, ProxyTarget proxy, RouteLimits limits) {}

  private final Map<String, ListenerRoutes> byListener;

  /** The routes as configured, in config order: what the next compile compares against. */
  private final List<Route> routes;

  /** The index of each route by its name. */
  private final Map<String, Integer> byName;

  /** Every route in config order, on a listener or not. */
  private final List<Target> targets;

  /** The indexes of the routes with limits, ascending. */
  private final int[] limited;

  private final Map<String, CompiledUpstream> upstreams;
  private final VariableMaps maps;

  private RoutingTable(
      Map<String, ListenerRoutes> byListener,
      List<Route> routes,
      Map<String, Integer> byName,
      List<Target> targets,
      int[] limited,
      Map<String, CompiledUpstream> upstreams,
      VariableMaps maps) {
    this.byListener = byListener;
    this.routes = routes;
    this.byName = byName;
    this.targets = targets;
    this.limited = limited;
    this.upstreams = upstreams;
    this.maps = maps;
  }

  /** The variables the config's {@code maps} define, for every request of this snapshot. */
  public VariableMaps maps() {
    return maps;
  }

  /** Compiles a validated config whose upstreams are already compiled; its zones start empty. */
  public static RoutingTable compile(Config config, Map<String, CompiledUpstream> upstreams) {
    return compile(config, upstreams, (RoutingTable) null);
  }

  /** As {@link #compile(Config, Map, RateLimitZones.Compiled, RoutingTable)}, zones empty. */
  public static RoutingTable compile(
      Config config, Map<String, CompiledUpstream> upstreams, RoutingTable previous) {
    RateLimitZones zones = new RateLimitZones(new SimpleMeterRegistry());
    return compile(config, upstreams, zones.update(config.getRateLimitZonesList()), previous);
  }

  /**
   * Compiles a validated config whose upstreams are already compiled, on the node's rate-limit
   * zones ({@link RateLimitZones#update}), taking over from {@code previous} (the table that
   * serves, or null) what did not change: a route equal to one of its routes, whose upstream
   * compiled to the same {@link CompiledUpstream} and whose limits compiled to the same {@link
   * RouteLimits} (a route without limits always does), keeps its compiled proxy action and compiled
   * routes; a virtual host made of the same compiled routes keeps its location table. The result is
   * the table a compile without {@code previous} would build.
   */
  public static RoutingTable compile(
      Config config,
      Map<String, CompiledUpstream> upstreams,
      RateLimitZones.Compiled zones,
      RoutingTable previous) {
    return compile(config, upstreams, zones, previous, null);
  }

  /**
   * As {@link #compile(Config, Map, RateLimitZones.Compiled, RoutingTable)}, with the routes
   * compared once already: {@code delta} is {@link RouteDelta#of RouteDelta.of(config, c)} for the
   * config {@code c} that {@code previous} was compiled for (otherwise, or when null, the routes
   * are compared here).
   */
  public static RoutingTable compile(
      Config config,
      Map<String, CompiledUpstream> upstreams,
      RateLimitZones.Compiled zones,
      RoutingTable previous,
      RouteDelta delta) {
    boolean compared = previous != null && delta != null && delta.isAgainst(previous.routes);
    List<Route> routes = config.getRoutesList();
    int[] earlier = new int[routes.size()];
    Target[] targets = new Target[routes.size()];
    int[] touched =
        compared && delta.namesInPlace() && sameUpstreams(previous.upstreams, upstreams)
            ? touched(delta.changedIndexes(), previous.limited)
            : null;
    if (touched != null) { // every other route is the one at its index before, on the same upstream
      previous.targets.toArray(targets);
      for (int i = 0; i < earlier.length; i++) {
        earlier[i] = i;
      }
    }
    int count = touched != null ? touched.length : routes.size();
    int limitedCount = 0;
    int[] limited = new int[count];
    for (int k = 0; k < count; k++) {
      int i = touched != null ? touched[k] : k;
      Route route = routes.get(i);
      CompiledUpstream upstream =
          route.hasProxy() ? upstreams.get(route.getProxy().getUpstream()) : null;
      RouteLimits routeLimits = RouteLimits.compile(route, zones);
      int j =
          previous == null
              ? -1
              : earlierOf(i, route, upstream, routeLimits, previous, compared ? delta : null);
      targets[i] =
          j >= 0
              ? previous.targets.get(j)
              : new Target(
                  route.getName(),
                  route.hasProxy() ? ProxyTarget.compile(route, upstream) : null,
                  routeLimits);
      earlier[i] = j;
      if (routeLimits != RouteLimits.NONE) {
        limited[limitedCount++] = i;
      }
    }
    List<Target> all = List.of(targets);
    Map<String, ListenerRoutes> byListener = new HashMap<>();
    for (Listener listener : config.getListenersList()) {
      ListenerRoutes earlierRoutes =
          previous == null ? null : previous.byListener.get(listener.getName());
      byListener.put(
          listener.getName(),
          ListenerRoutes.compile(
              routes,
              listener,
              i -> all.get(i).proxy(),
              i -> all.get(i).limits(),
              earlier,
              earlierRoutes,
              touched));
    }
    // Names in place of the table before mean its index by name holds for this one.
    boolean namesInPlace = compared && delta.namesInPlace();
    return new RoutingTable(
        byListener,
        routes,
        namesInPlace ? previous.byName : indexByName(routes),
        all,
        Arrays.copyOf(limited, limitedCount),
        Map.copyOf(upstreams),
        VariableMaps.compile(config.getMapsList()));
  }

  /**
   * The index of the route of {@code previous} that route {@code i} can take the compiled target
   * of; -1 when none. With a {@code delta} against {@code previous}'s routes, its finding; else
   * found here by name and compared by value.
   */
  private static int earlierOf(
      int i,
      Route route,
      CompiledUpstream upstream,
      RouteLimits limits,
      RoutingTable previous,
      RouteDelta delta) {
    int j;
    if (delta != null) {
      j = delta.earlier(i);
      return j >= 0 && previous.sameTargetAt(j, upstream, limits) ? j : -1;
    }
    if (i < previous.routes.size() && previous.routes.get(i).getName().equals(route.getName())) {
      j = i;
    } else {
      j = previous.byName.getOrDefault(route.getName(), -1);
    }
    return j >= 0 && previous.sameAt(j, route, upstream, limits) ? j : -1;
  }

  /** Whether both maps hold the very same compiled upstreams under the same names. */
  private static boolean sameUpstreams(
      Map<String, CompiledUpstream> a, Map<String, CompiledUpstream> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<String, CompiledUpstream> e : a.entrySet()) {
      if (b.get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The routes a compile in place visits, ascending: the changed ones, and those with limits (their
   * limits are compiled on each snapshot's zones, so they never keep their target).
   */
  private static int[] touched(int[] changed, int[] limited) {
    int[] merged = new int[changed.length + limited.length];
    int n = 0;
    for (int a = 0, b = 0; a < changed.length || b < limited.length; ) {
      int next =
          b >= limited.length || (a < changed.length && changed[a] <= limited[b])
              ? changed[a++]
              : limited[b++];
      if (n == 0 || merged[n - 1] != next) {
        merged[n++] = next;
      }
    }
    return Arrays.copyOf(merged, n);
  }

  /**
   * Whether route {@code j} of this table is {@code route}, proxying to {@code upstream} under
   * {@code limits}.
   */
  private boolean sameAt(int j, Route route, CompiledUpstream upstream, RouteLimits limits) {
    Route earlier = routes.get(j);
    return (earlier == route || earlier.equals(route)) && sameTargetAt(j, upstream, limits);
  }

  /** Whether route {@code j} of this table proxies to {@code upstream} under {@code limits}. */
  private boolean sameTargetAt(int j, CompiledUpstream upstream, RouteLimits limits) {
    Target target = targets.get(j);
    ProxyTarget proxy = target.proxy();
    return target.limits() == limits
        && (proxy == null ? upstream == null : proxy.upstream() == upstream);
  }

  /** Route {@code name}'s target as drains judge it; null when there is no such route. */
  private DrainView.RouteTarget drainTarget(String name) {
    Integer i = byName.get(name);
    if (i == null) {
      return null;
    }
    ProxyTarget proxy = targets.get(i).proxy();
    return proxy == null
        ? new DrainView.RouteTarget(null, null)
        : new DrainView.RouteTarget(proxy.upstream().name(), proxy.ownDrain());
  }

  private static Map<String, Integer> indexByName(List<Route> routes) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      index.putIfAbsent(routes.get(i).getName(), i);
    }
    return index;
  }

  /** The compiled upstreams this table's routes proxy to, by name. */
  public Map<String, CompiledUpstream> upstreams() {
    return upstreams;
  }

  /**
   * What drains judge connections against: where each route of this snapshot sends its traffic and
   * under which policy of its own, and each upstream's endpoints and policy, all as the proxy runs
   * them.
   */
  public DrainView drainView(DrainView.Health health) {
    DrainView.Builder view = DrainView.builder().routes(this::drainTarget);
    for (CompiledUpstream u : upstreams.values()) {
      view.upstream(
          u.name(), u.endpoints().stream().map(UpstreamEndpoint::address).toList(), u.drain());
    }
    return view.build(health);
  }

  /**
   * The route for a request that arrived on {@code listener} for {@code host} (lower or upper case,
   * without port) and the normalised path {@code uri}; null when no route matches.
   */
  public Selection select(String listener, String host, String uri) {
    ListenerRoutes hosts = byListener.get(listener);
    if (hosts == null) {
      return null;
    }
    LocationTable<CompiledRoute> locations = hosts.table().select(host);
    if (locations == null) {
      return null;
    }
    LocationTable.Selection<CompiledRoute> s = locations.select(uri);
    return s == null ? null : new Selection(s.route(), s.groups());
  }
}
