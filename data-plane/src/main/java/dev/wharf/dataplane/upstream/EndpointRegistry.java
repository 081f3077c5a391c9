package dev.wharf.dataplane.upstream;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's {@link EndpointStats}, by upstream and endpoint address, and its {@link
 * UpstreamState}s by upstream name. Compiling a snapshot looks up (or creates) the state of each
 * endpoint and upstream it names, so one that stays in the config keeps its counters and health
 * across any number of swaps.
 */
public final class EndpointRegistry {
  private final ConcurrentHashMap<String, EndpointStats> stats = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UpstreamState> upstreams = new ConcurrentHashMap<>();

  EndpointStats statsFor(String upstream, String address) {
    return stats.computeIfAbsent(key(upstream, address), k -> new EndpointStats());
  }

  UpstreamState stateFor(String upstream) {
    return upstreams.computeIfAbsent(upstream, k -> new UpstreamState());
  }

  /**
   * Forgets endpoints and upstreams a new snapshot no longer has. Exchanges still running on them
   * hold their own reference and finish counting on it.
   */
  void retain(Set<String> upstreamNames, Set<String> upstreamAndAddressKeys) {
    stats.keySet().retainAll(upstreamAndAddressKeys);
    upstreams.keySet().retainAll(upstreamNames);
  }

  /**
   * Whether the node would send traffic to this endpoint now: passing its active checks and not
   * ejected. An endpoint the node has no stats for yet counts as usable (endpoints start healthy).
   */
  public boolean usable(String upstream, String address, long nowNanos) {
    EndpointStats s = stats.get(key(upstream, address));
    return s == null || s.usable(nowNanos);
  }

  /** Whether the endpoint passes its active health checks (true when the node has no stats). */
  public boolean healthy(String upstream, String address) {
    EndpointStats s = stats.get(key(upstream, address));
    return s == null || s.healthy();
  }

  static String key(String upstream, String address) {
    return upstream + ' ' + address;
  }

  /**
   * The node's view of the endpoints of upstreams that have a health check or outlier detection, in
   * config order, at ticker time {@code nowNanos}: what it reports to the control plane.
   */
  public List<EndpointHealthState> report(Config config, long nowNanos) {
    List<EndpointHealthState> out = new ArrayList<>();
    for (Upstream u : config.getUpstreamsList()) {
      if (!u.hasHealthCheck() && !u.hasOutlierDetection()) {
        continue;
      }
      for (Endpoint e : u.getEndpointsList()) {
        out.add(
            EndpointHealthState.newBuilder()
                .setUpstream(u.getName())
                .setAddress(e.getAddress())
                .setHealthy(usable(u.getName(), e.getAddress(), nowNanos))
                .build());
      }
    }
    return out;
  }
}
