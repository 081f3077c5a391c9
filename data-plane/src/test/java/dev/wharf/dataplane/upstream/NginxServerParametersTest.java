package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.LoadBalancing;
import dev.wharf.proto.config.v1.OutlierDetection;
import dev.wharf.proto.config.v1.Upstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * nginx's {@code server ... backup}, {@code down}, and {@code max_fails}/{@code fail_timeout} as
 * outlier detection with a failure window, at given ticker times (no clock, no sleep).
 */
class NginxServerParametersTest {
  private static final long S = 1_000_000_000L;

  private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());

  private static CompiledUpstream compile(Upstream.Builder u) {
    return CompiledUpstream.compile(
        u.setName("u").build(), new EndpointRegistry(), SplittableRandom::new);
  }

  private static Endpoint.Builder ep(int port) {
    return Endpoint.newBuilder().setAddress("127.0.0.1:" + port);
  }

  private String picks(CompiledUpstream u, int n, long now) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UpstreamEndpoint e = u.pick(null, List.of(), now, metrics);
      out.add(e == null ? "-" : e.address().substring(10));
    }
    return String.join(" ", out);
  }

  /** nginx's defaults max_fails=1 fail_timeout=10s, as the importer writes them. */
  private static OutlierDetection.Builder nginxDefaults() {
    Duration ten = Duration.newBuilder().setSeconds(10).build();
    return OutlierDetection.newBuilder()
        .setConsecutiveFailures(1)
        .setFailureWindow(ten)
        .setBaseEjectionTime(ten)
        .setMaxEjectionTime(ten)
        .setMaxEjectionPercent(100)
        .setCount5XxResponses(false);
  }

  @Test
  void aBackupGetsNothingWhilePrimariesAreUsableAndEverythingWhenTheyAreNot() {
    CompiledUpstream u =
        compile(
            Upstream.newBuilder()
                .addEndpoints(ep(1))
                .addEndpoints(ep(2).setBackup(true))
                .addEndpoints(ep(3))
                .setOutlierDetection(nginxDefaults()));

    assertEquals("1 3 1 3", picks(u, 4, 0));

    u.attemptEnded(u.endpoints().get(0), false, 0, metrics);
    assertEquals("3 3 3", picks(u, 3, 1), "one primary out: the other takes all");

    u.attemptEnded(u.endpoints().get(2), false, 1, metrics);
    assertEquals("2 2 2", picks(u, 3, 2), "both primaries out: the backup");

    assertEquals("1 3", picks(u, 2, 10 * S + 1), "back after fail_timeout");
  }

  @Test
  void aRequestWhosePrimariesFailedGoesToTheBackup() {
    CompiledUpstream u =
        compile(Upstream.newBuilder().addEndpoints(ep(1)).addEndpoints(ep(2).setBackup(true)));
    UpstreamEndpoint primary = u.endpoints().get(0);

    assertEquals("1 1", picks(u, 2, 0));
    UpstreamEndpoint next = u.pick(null, List.of(primary), 0, metrics);
    assertEquals("127.0.0.1:2", next.address());
    assertNull(u.pick(null, List.of(primary, next), 0, metrics));
  }

  @Test
  void leastConnectionsHasBackupsToo() {
    CompiledUpstream u =
        compile(
            Upstream.newBuilder()
                .setBalancing(
                    LoadBalancing.newBuilder().setPolicy(LoadBalancing.Policy.LEAST_CONNECTIONS))
                .addEndpoints(ep(1))
                .addEndpoints(ep(2).setBackup(true)));
    u.endpoints().get(0).stats().acquired();
    assertEquals("1 1", picks(u, 2, 0), "busy is not unavailable");
    assertEquals("127.0.0.1:2", u.pick(null, List.of(u.endpoints().get(0)), 0, metrics).address());
  }

  @Test
  void aDownEndpointGetsNothing() {
    CompiledUpstream u =
        compile(
            Upstream.newBuilder()
                .addEndpoints(ep(1))
                .addEndpoints(ep(2).setDown(true))
                .addEndpoints(ep(3)));

    assertEquals("1 3 1 3", picks(u, 4, 0));
    assertEquals(2, u.endpoints().size());
  }

  @Test
  void maxFailsCountsFailuresWithinFailTimeoutOnly() {
    CompiledUpstream u =
        compile(
            Upstream.newBuilder()
                .addEndpoints(ep(1))
                .addEndpoints(ep(2))
                .setOutlierDetection(nginxDefaults().setConsecutiveFailures(2)));
    UpstreamEndpoint a = u.endpoints().get(0);

    u.attemptEnded(a, false, 0, metrics);
    u.attemptEnded(a, false, 10 * S + 1, metrics);
    assertTrue(a.stats().usable(10 * S + 2), "the two failures are 10 s apart: count restarted");

    u.attemptEnded(a, false, 15 * S, metrics);
    assertFalse(a.stats().usable(15 * S), "two within 10 s: out");
    assertTrue(a.stats().ejected(25 * S - 1));
    assertFalse(a.stats().ejected(25 * S), "for fail_timeout, no back-off");
  }

  @Test
  void nginxCountsNoResponseAsAFailureUnlessTheRouteRetriesOnIt() {
    CompiledUpstream nginx =
        compile(
            Upstream.newBuilder()
                .addEndpoints(ep(1))
                .addEndpoints(ep(2))
                .setOutlierDetection(nginxDefaults()));
    CompiledUpstream wharf =
        compile(
            Upstream.newBuilder()
                .addEndpoints(ep(1))
                .addEndpoints(ep(2))
                .setOutlierDetection(OutlierDetection.newBuilder()));

    assertFalse(nginx.countsResponse(502, false));
    assertTrue(nginx.countsResponse(502, true));
    assertTrue(wharf.countsResponse(502, false));
    assertFalse(wharf.countsResponse(404, false));
  }
}
