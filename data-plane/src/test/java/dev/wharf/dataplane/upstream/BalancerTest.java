package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.LoadBalancing;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which endpoint each policy picks, as nginx's equivalents would. */
class BalancerTest {
  private final EndpointRegistry registry = new EndpointRegistry();

  private UpstreamEndpoint endpoint(String name, int weight) {
    return new UpstreamEndpoint(
        "u",
        name,
        InetSocketAddress.createUnresolved(name, 80),
        weight,
        registry.statsFor("u", name));
  }

  private static String picks(Balancer b, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.pick(null, List.of()).address());
    }
    return String.join(" ", out);
  }

  @Test
  void smoothWeightedRoundRobinInterleavesAsNginxDoes() {
    Balancer b =
        Balancer.of(
            LoadBalancing.Policy.ROUND_ROBIN,
            List.of(endpoint("a", 5), endpoint("b", 1), endpoint("c", 1)),
            SplittableRandom::new);

    assertEquals("a a b a c a a a a b a c a a", picks(b, 14));
  }

  @Test
  void aTriedEndpointIsSkippedAndNullComesWhenAllWereTried() {
    UpstreamEndpoint a = endpoint("a", 1);
    UpstreamEndpoint b = endpoint("b", 1);
    for (LoadBalancing.Policy p :
        List.of(
            LoadBalancing.Policy.ROUND_ROBIN,
            LoadBalancing.Policy.LEAST_CONNECTIONS,
            LoadBalancing.Policy.CONSISTENT_HASH,
            LoadBalancing.Policy.RANDOM)) {
      SplittableRandom random = new SplittableRandom(3);
      Balancer balancer = Balancer.of(p, List.of(a, b), () -> random);
      for (int i = 0; i < 10; i++) {
        assertEquals(b, balancer.pick("key" + i, List.of(a)), p.name());
      }
      assertNull(balancer.pick("k", List.of(a, b)), p.name());
    }
  }

  @Test
  void leastConnectionsWeighsActiveCountsThatOutliveTheSnapshot() {
    UpstreamEndpoint a = endpoint("a", 1);
    UpstreamEndpoint b = endpoint("b", 2);
    a.stats().acquired();
    a.stats().acquired();
    b.stats().acquired();
    b.stats().acquired();
    b.stats().acquired();
    // a: 2/1, b: 3/2 -> b has less load per weight
    Balancer before = Balancer.of(LoadBalancing.Policy.LEAST_CONNECTIONS, List.of(a, b), null);
    assertEquals("b", before.pick(null, List.of()).address());

    // A new snapshot with the same endpoints sees the same counts.
    Balancer after =
        Balancer.of(
            LoadBalancing.Policy.LEAST_CONNECTIONS,
            List.of(endpoint("a", 1), endpoint("b", 2)),
            null);
    b.stats().acquired(); // b: 4/2 = a: 2/1; ties rotate
    String tie = picks(after, 2);
    assertTrue(tie.equals("a b") || tie.equals("b a"), tie);
  }

  @Test
  void consistentHashMovesOnlyTheKeysOfARemovedEndpoint() {
    List<UpstreamEndpoint> four =
        List.of(endpoint("a", 1), endpoint("b", 1), endpoint("c", 1), endpoint("d", 1));
    Balancer all = Balancer.of(LoadBalancing.Policy.CONSISTENT_HASH, four, null);
    Balancer withoutD = Balancer.of(LoadBalancing.Policy.CONSISTENT_HASH, four.subList(0, 3), null);

    int moved = 0;
    Map<String, Integer> share = new HashMap<>();
    for (int k = 0; k < 2000; k++) {
      String key = "session-" + k;
      String before = all.pick(key, List.of()).address();
      String after = withoutD.pick(key, List.of()).address();
      share.merge(before, 1, Integer::sum);
      if (!before.equals("d") && !before.equals(after)) {
        moved++;
      }
    }

    assertEquals(0, moved, "keys of a, b and c stay where they were");
    assertTrue(share.values().stream().allMatch(n -> n > 300), share.toString());
  }

  @Test
  void randomFollowsTheWeights() {
    SplittableRandom random = new SplittableRandom(11);
    Balancer b =
        Balancer.of(
            LoadBalancing.Policy.RANDOM, List.of(endpoint("a", 3), endpoint("b", 1)), () -> random);
    Map<String, Long> counts =
        new ArrayList<>(List.of(picks(b, 4000).split(" ")))
            .stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));

    assertTrue(counts.get("a") > 2800 && counts.get("a") < 3200, counts.toString());
  }
}
