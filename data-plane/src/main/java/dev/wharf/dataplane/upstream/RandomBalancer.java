package dev.wharf.dataplane.upstream;

import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** A weighted random pick; the random source is injected so tests can fix it. */
final class RandomBalancer implements Balancer {
  private final List<UpstreamEndpoint> endpoints;
  private final Supplier<RandomGenerator> random;

  RandomBalancer(List<UpstreamEndpoint> endpoints, Supplier<RandomGenerator> random) {
    this.endpoints = List.copyOf(endpoints);
    this.random = random;
  }

  @Override
  public UpstreamEndpoint pick(String hashKey, List<UpstreamEndpoint> tried) {
    long total = 0;
    for (UpstreamEndpoint e : endpoints) {
      if (!tried.contains(e)) {
        total += e.weight();
      }
    }
    if (total == 0) {
      return null;
    }
    long ticket = random.get().nextLong(total);
    for (UpstreamEndpoint e : endpoints) {
      if (tried.contains(e)) {
        continue;
      }
      ticket -= e.weight();
      if (ticket < 0) {
        return e;
      }
    }
    throw new AssertionError("weights changed during a pick");
  }
}
