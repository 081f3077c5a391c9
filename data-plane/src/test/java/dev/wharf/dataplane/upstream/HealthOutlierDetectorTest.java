package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.OutlierDetection;
import dev.wharf.proto.config.v1.Upstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Ejection times and shares, and what the balancers are told to leave out, at given times. */
class HealthOutlierDetectorTest {
  private static final long S = 1_000_000_000L;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProxyMetrics metrics = new ProxyMetrics(registry);
  private final CompiledUpstream upstream =
      CompiledUpstream.compile(
          Upstream.newBuilder()
              .setName("u")
              .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:1"))
              .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:2"))
              .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:3"))
              .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:4"))
              .setOutlierDetection(
                  OutlierDetection.newBuilder()
                      .setConsecutiveFailures(2)
                      .setBaseEjectionTime(Duration.newBuilder().setSeconds(10))
                      .setMaxEjectionTime(Duration.newBuilder().setSeconds(15))
                      .setMaxEjectionPercent(50))
              .build(),
          new EndpointRegistry(),
          SplittableRandom::new);

  private UpstreamEndpoint endpoint(int i) {
    return upstream.endpoints().get(i);
  }

  private void fail(int endpoint, int times, long now) {
    for (int i = 0; i < times; i++) {
      upstream.outliers().failed(endpoint(endpoint), now, metrics);
    }
  }

  @Test
  void ejectionTimeDoublesUpToTheMaximumAndStartsOverAfterALongGoodSpell() {
    fail(0, 1, 0);
    assertFalse(endpoint(0).stats().ejected(0), "one failure of two");
    upstream.outliers().succeeded(endpoint(0));
    fail(0, 1, 0);
    assertFalse(endpoint(0).stats().ejected(0), "a success in between starts the count over");

    fail(0, 1, 0);
    assertTrue(endpoint(0).stats().ejected(10 * S - 1));
    assertFalse(endpoint(0).stats().ejected(10 * S), "first ejection: 10 s");

    fail(0, 2, 10 * S);
    assertTrue(endpoint(0).stats().ejected(25 * S - 1));
    assertFalse(endpoint(0).stats().ejected(25 * S), "second: 20 s capped at 15 s");

    fail(0, 2, 40 * S); // in for 15 s since it came back
    assertFalse(endpoint(0).stats().ejected(50 * S), "back to 10 s");
  }

  @Test
  void atMostMaxEjectionPercentIsOutAtOnce() {
    fail(0, 2, 0);
    fail(1, 2, 0);
    fail(2, 2, 0);
    assertTrue(endpoint(0).stats().ejected(1) && endpoint(1).stats().ejected(1));
    assertFalse(endpoint(2).stats().ejected(1), "two of four is the limit");
    assertEquals(
        2.0,
        registry.get("wharf.endpoint.ejections").counters().stream()
            .mapToDouble(c -> c.count())
            .sum());

    fail(2, 1, 10 * S); // the others are back: its failures still count
    assertTrue(endpoint(2).stats().ejected(10 * S));
  }

  @Test
  void balancersAreToldToSkipWhatIsOutExceptWhenEverythingIsOut() {
    List<UpstreamEndpoint> none = List.of();
    assertSame(none, upstream.excluded(none, 0, metrics), "all usable: nothing allocated");

    fail(1, 2, 0);
    endpoint(2).stats().healthy(false);
    assertEquals(List.of(endpoint(1), endpoint(2)), upstream.excluded(none, 0, metrics));
    assertEquals(
        List.of(endpoint(0), endpoint(1), endpoint(2)),
        upstream.excluded(List.of(endpoint(0)), 0, metrics));

    endpoint(0).stats().healthy(false);
    endpoint(3).stats().healthy(false);
    assertSame(none, upstream.excluded(none, 0, metrics), "panic: use them all");
    assertEquals(1.0, registry.get("wharf.upstream.panic").gauge().value());

    endpoint(3).stats().healthy(true);
    assertEquals(
        List.of(endpoint(0), endpoint(1), endpoint(2)), upstream.excluded(none, 0, metrics));
    assertEquals(0.0, registry.get("wharf.upstream.panic").gauge().value(), "out of panic");
  }
}
