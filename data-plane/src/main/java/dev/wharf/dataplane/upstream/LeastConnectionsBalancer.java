package dev.wharf.dataplane.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fewest active requests and WebSockets relative to weight (nginx {@code least_conn}). Ties go
 * round robin, so an idle upstream still spreads its first connections. The counts are the node's
 * {@link EndpointStats}, which survive config swaps.
 */
final class LeastConnectionsBalancer implements Balancer {
  private final List<UpstreamEndpoint> endpoints;
  private final AtomicInteger rotation = new AtomicInteger();

  LeastConnectionsBalancer(List<UpstreamEndpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public UpstreamEndpoint pick(String hashKey, List<UpstreamEndpoint> tried) {
    int n = endpoints.size();
    if (n == 0) {
      return null;
    }
    int start = Math.floorMod(rotation.getAndIncrement(), n);
    UpstreamEndpoint best = null;
    long bestActive = 0;
    for (int i = 0; i < n; i++) {
      UpstreamEndpoint e = endpoints.get((start + i) % n);
      if (tried.contains(e)) {
        continue;
      }
      long active = e.stats().active();
      // active/weight < bestActive/bestWeight, without division
      if (best == null || active * best.weight() < bestActive * e.weight()) {
        best = e;
        bestActive = active;
      }
    }
    return best;
  }
}
