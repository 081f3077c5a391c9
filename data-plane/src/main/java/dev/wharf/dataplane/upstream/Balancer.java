package dev.wharf.dataplane.upstream;

import dev.wharf.proto.config.v1.LoadBalancing;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks the endpoint for a new upstream connection. One instance per upstream per snapshot, shared
 * by every event loop: implementations are thread-safe and never block.
 */
interface Balancer {
  /**
   * An endpoint that is not in {@code tried}, or null when every endpoint was tried.
   *
   * @param hashKey the rendered hash key of a consistent-hash upstream, else null
   * @param tried endpoints this request already failed to connect to (usually empty)
   */
  UpstreamEndpoint pick(String hashKey, List<UpstreamEndpoint> tried);

  static Balancer of(
      LoadBalancing.Policy policy,
      List<UpstreamEndpoint> endpoints,
      Supplier<RandomGenerator> random) {
    return switch (policy) {
      case LEAST_CONNECTIONS -> new LeastConnectionsBalancer(endpoints);
      case CONSISTENT_HASH -> new ConsistentHashBalancer(endpoints);
      case RANDOM -> new RandomBalancer(endpoints, random);
      case ROUND_ROBIN, POLICY_UNSPECIFIED, UNRECOGNIZED -> new RoundRobinBalancer(endpoints);
    };
  }
}
