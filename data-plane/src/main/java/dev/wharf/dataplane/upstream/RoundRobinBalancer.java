package dev.wharf.dataplane.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's smooth weighted round robin: weights 5, 1, 1 give a a b a c a a, never a burst of five
 * a's. The whole cycle is computed once per snapshot, so a pick is one atomic increment and no lock
 * is shared between event loops.
 */
final class RoundRobinBalancer implements Balancer {
  private final List<UpstreamEndpoint> endpoints;
  private final int[] cycle;
  private final AtomicLong next = new AtomicLong();

  RoundRobinBalancer(List<UpstreamEndpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
    this.cycle = smoothCycle(this.endpoints);
  }

  @Override
  public UpstreamEndpoint pick(String hashKey, List<UpstreamEndpoint> tried) {
    long start = next.getAndIncrement();
    for (int i = 0; i < cycle.length; i++) {
      UpstreamEndpoint e =
          endpoints.get(cycle[(int) Math.floorMod(start + i, (long) cycle.length)]);
      if (!tried.contains(e)) {
        return e;
      }
    }
    return null;
  }

  /** One full period of the smooth weighted sequence, with weights reduced by their gcd. */
  static int[] smoothCycle(List<UpstreamEndpoint> endpoints) {
    int n = endpoints.size();
    if (n == 0) {
      return new int[0];
    }
    int gcd = 0;
    for (UpstreamEndpoint e : endpoints) {
      gcd = gcd(gcd, e.weight());
    }
    int[] weight = new int[n];
    int total = 0;
    for (int i = 0; i < n; i++) {
      weight[i] = endpoints.get(i).weight() / gcd;
      total += weight[i];
    }
    int[] current = new int[n];
    int[] cycle = new int[total];
    for (int step = 0; step < total; step++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weight[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      cycle[step] = best;
    }
    return cycle;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
