package dev.wharf.dataplane.routing;

import dev.wharf.config.HostPattern;
import dev.wharf.config.PathMatches;
import dev.wharf.dataplane.drain.DrainView;
import dev.wharf.dataplane.http.VariableMaps;
import dev.wharf.dataplane.proxy.ProxyTarget;
import dev.wharf.dataplane.ratelimit.RateLimitZones;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

  private final Map<String, HostTable<LocationTable<CompiledRoute>>> byListener;

  /** Every route in config order, on a listener or not. */
  private final List<Target> targets;

  private final Map<String, CompiledUpstream> upstreams;
  private final VariableMaps maps;

  private RoutingTable(
      Map<String, HostTable<LocationTable<CompiledRoute>>> byListener,
      List<Target> targets,
      Map<String, CompiledUpstream> upstreams,
      VariableMaps maps) {
    this.byListener = byListener;
    this.targets = targets;
    this.upstreams = upstreams;
    this.maps = maps;
  }

  /** The variables the config's {@code maps} define, for every request of this snapshot. */
  public VariableMaps maps() {
    return maps;
  }

  /** Compiles a validated config whose upstreams are already compiled; its zones start empty. */
  public static RoutingTable compile(Config config, Map<String, CompiledUpstream> upstreams) {
    return compile(
        config,
        upstreams,
        new RateLimitZones(new SimpleMeterRegistry()).update(config.getRateLimitZonesList()));
  }

  /** Compiles a validated config on the node's rate-limit zones ({@link RateLimitZones#update}). */
  public static RoutingTable compile(
      Config config, Map<String, CompiledUpstream> upstreams, RateLimitZones.Compiled zones) {
    List<Target> targets = new ArrayList<>();
    for (Route route : config.getRoutesList()) {
      targets.add(
          new Target(
              route.getName(),
              route.hasProxy()
                  ? ProxyTarget.compile(route, upstreams.get(route.getProxy().getUpstream()))
                  : null,
              RouteLimits.compile(route, zones)));
    }
    Map<String, HostTable<LocationTable<CompiledRoute>>> byListener = new HashMap<>();
    for (Listener listener : config.getListenersList()) {
      byListener.put(listener.getName(), compileListener(config, listener, targets));
    }
    return new RoutingTable(
        byListener,
        List.copyOf(targets),
        Map.copyOf(upstreams),
        VariableMaps.compile(config.getMapsList()));
  }

  /**
   * What drains judge connections against: where each route of this snapshot sends its traffic and
   * under which policy of its own, and each upstream's endpoints and policy, all as the proxy runs
   * them.
   */
  public DrainView drainView(DrainView.Health health) {
    DrainView.Builder view = DrainView.builder();
    for (Target t : targets) {
      ProxyTarget proxy = t.proxy();
      view.route(
          t.route(),
          proxy == null ? null : proxy.upstream().name(),
          proxy == null ? null : proxy.ownDrain());
    }
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
    HostTable<LocationTable<CompiledRoute>> hosts = byListener.get(listener);
    if (hosts == null) {
      return null;
    }
    LocationTable<CompiledRoute> locations = hosts.select(host);
    if (locations == null) {
      return null;
    }
    LocationTable.Selection<CompiledRoute> s = locations.select(uri);
    return s == null ? null : new Selection(s.route(), s.groups());
  }

  private static HostTable<LocationTable<CompiledRoute>> compileListener(
      Config config, Listener listener, List<Target> targets) {
    Map<HostPattern, LocationTable<CompiledRoute>> byPattern = new LinkedHashMap<>();
    LocationTable<CompiledRoute> defaultServer = null;
    for (int i = 0; i < config.getRoutesCount(); i++) {
      Route route = config.getRoutes(i);
      if (route.getListenersCount() > 0 && !route.getListenersList().contains(listener.getName())) {
        continue;
      }
      CompiledRoute compiled =
          CompiledRoute.compile(
              i, route, targets.get(i).proxy(), targets.get(i).limits(), listener.getCompression());
      if (route.getMatch().getHostsCount() == 0) {
        if (defaultServer == null) {
          defaultServer = new LocationTable<>();
        }
        addLocation(defaultServer, route.getMatch().getPath(), compiled);
      }
      for (String host : route.getMatch().getHostsList()) {
        LocationTable<CompiledRoute> server =
            byPattern.computeIfAbsent(HostPattern.parse(host), k -> new LocationTable<>());
        addLocation(server, route.getMatch().getPath(), compiled);
      }
    }
    HostTable<LocationTable<CompiledRoute>> hosts = new HostTable<>();
    byPattern.forEach(hosts::add);
    hosts.setFallback(
        defaultServer != null
            ? defaultServer
            : byPattern.values().stream().findFirst().orElse(null));
    return hosts;
  }

  private static void addLocation(
      LocationTable<CompiledRoute> table, PathMatch path, CompiledRoute route) {
    if (!PathMatches.isSet(path)) {
      throw new IllegalArgumentException(
          "route '" + route.name() + "' has no path match; validate the config first");
    }
    if (table.add(path, route) && route.config().getSlashRedirect()) {
      table.addSlashRedirect(PathMatches.value(path), SlashRedirects.of(route));
    }
  }
}
