package dev.wharf.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reading the replica's push-to-ACK timer between two moments. */
class FleetPushToAckViewTest {
  @Test
  void onlyValuesRecordedBetweenTheTwoCountsAreReadToWithinABucket() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PushToAckView.configure(registry);
    // Registered as the replica registers it.
    Timer timer =
        Timer.builder(PushToAckView.TIMER)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    timer.record(Duration.ofSeconds(3)); // before: not counted
    PushToAckView.Counts before = PushToAckView.counts(registry);
    for (int i = 0; i < 98; i++) {
      timer.record(Duration.ofNanos(950_000));
    }
    timer.record(Duration.ofMillis(41));
    timer.record(Duration.ofMillis(41));

    PushToAckView.Stats s = PushToAckView.between(before, PushToAckView.counts(registry));

    // The timer's own percentile buckets are merged with the fine ones: bounds may be tighter.
    assertEquals(100, s.count());
    assertBetween(0.95, 1.0, s.p50Millis());
    assertBetween(41, 42, s.p99Millis());
    assertBetween(41, 42, s.maxMillis());
    assertEquals((98 * 0.95 + 2 * 41) / 100, s.meanMillis(), 1e-6);
  }

  private static void assertBetween(double low, double high, double actual) {
    assertTrue(actual >= low && actual <= high, actual + " not in [" + low + ", " + high + "]");
  }
}
