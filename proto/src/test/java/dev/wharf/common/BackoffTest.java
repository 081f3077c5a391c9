package dev.wharf.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Retry delays: doubling, capped, and spread between half and all of the ceiling. */
class BackoffTest {
  private static final Duration BASE = Duration.ofMillis(250);
  private static final Duration MAX = Duration.ofSeconds(10);

  @Test
  void everyDelayIsBetweenHalfAndAllOfTheDoublingCeilingCappedAtMax() {
    Backoff backoff = Backoff.exponential(BASE, MAX, new SplittableRandom(2026));
    for (int attempt = 0; attempt < 100; attempt++) {
      Duration ceiling = attempt >= 6 ? MAX : BASE.multipliedBy(1L << attempt);
      for (int i = 0; i < 200; i++) {
        Duration d = backoff.delay(attempt);
        assertTrue(
            d.compareTo(ceiling.dividedBy(2)) >= 0 && d.compareTo(ceiling) <= 0,
            "attempt "
                + attempt
                + ": "
                + d
                + " not in ["
                + ceiling.dividedBy(2)
                + ", "
                + ceiling
                + "]");
      }
    }
  }

  @Test
  void theCeilingDoublesFrom250msAndStopsAt10s() {
    Backoff backoff = Backoff.defaults();

    assertEquals(Duration.ofMillis(250).toNanos(), backoff.ceiling(0));
    assertEquals(Duration.ofMillis(500).toNanos(), backoff.ceiling(1));
    assertEquals(Duration.ofMillis(8000).toNanos(), backoff.ceiling(5));
    assertEquals(Duration.ofSeconds(10).toNanos(), backoff.ceiling(6));
    assertEquals(
        Duration.ofSeconds(10).toNanos(),
        backoff.ceiling(Integer.MAX_VALUE),
        "no overflow for a very long outage");
  }

  @Test
  void jitterSpreadsNodesThatRetryAtTheSameAttempt() {
    Backoff backoff = Backoff.exponential(BASE, MAX, new SplittableRandom(1));
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(backoff.delay(3));
    }

    assertTrue(seen.size() > 40, "only " + seen.size() + " distinct delays of 50");
  }

  @Test
  void theSameSeedGivesTheSameDelays() {
    Backoff a = Backoff.exponential(BASE, MAX, new SplittableRandom(9));
    Backoff b = Backoff.exponential(BASE, MAX, new SplittableRandom(9));

    for (int attempt = 0; attempt < 10; attempt++) {
      assertEquals(a.delay(attempt), b.delay(attempt));
    }
    assertNotEquals(
        Backoff.exponential(BASE, MAX, new SplittableRandom(10)).delay(8),
        Backoff.exponential(BASE, MAX, new SplittableRandom(9)).delay(8));
  }

  @Test
  void badSettingsAreRefusedWithTheValue() {
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> Backoff.exponential(Duration.ZERO, MAX, new SplittableRandom()));
    IllegalArgumentException below =
        assertThrows(
            IllegalArgumentException.class,
            () -> Backoff.exponential(BASE, Duration.ofMillis(100), new SplittableRandom()));

    assertEquals("base: PT0S (expected: > 0)", zero.getMessage());
    assertEquals("max: PT0.1S (expected: >= base PT0.25S)", below.getMessage());
  }

  @Test
  void retriesDoubleFromBaseUpToMaxAndStartOverAfterAReset() {
    Backoff.Retries retries = Backoff.exponential(BASE, MAX, new SplittableRandom(7)).retries();
    for (int attempt = 0; attempt < 10; attempt++) {
      Duration ceiling = attempt >= 6 ? MAX : BASE.multipliedBy(1L << attempt);
      Duration d = retries.next();
      assertTrue(
          d.compareTo(ceiling.dividedBy(2)) >= 0 && d.compareTo(ceiling) <= 0,
          "retry "
              + attempt
              + ": "
              + d
              + " not in ["
              + ceiling.dividedBy(2)
              + ", "
              + ceiling
              + "]");
    }

    retries.reset();

    Duration first = retries.next();
    assertTrue(
        first.compareTo(BASE.dividedBy(2)) >= 0 && first.compareTo(BASE) <= 0,
        "after a reset: " + first);
  }

  @Test
  void retriesDrawTheSameDelaysAsThePolicyForTheSameSeed() {
    Backoff policy = Backoff.exponential(BASE, MAX, new SplittableRandom(3));
    Backoff.Retries retries = Backoff.exponential(BASE, MAX, new SplittableRandom(3)).retries();

    for (int attempt = 0; attempt < 10; attempt++) {
      assertEquals(policy.delay(attempt), retries.next());
    }
  }
}
