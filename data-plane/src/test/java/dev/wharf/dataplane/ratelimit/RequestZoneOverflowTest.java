package dev.wharf.dataplane.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The leaky bucket's drain, {@code rate * elapsed}, at the largest rate the validator takes
 * (999999999r/s) and a key that comes back after hours: the product passes {@link Long#MAX_VALUE}
 * after 2.5 hours, and a bucket that has long drained must still be empty, not refused. nginx drops
 * such a key after 60 idle seconds; here it stays until evicted, so its drain must not overflow.
 */
class RequestZoneOverflowTest {
  private static final long HOUR = 3_600_000L;

  @Test
  void aKeyIdleForHoursAtTheHighestRateIsAllowedNotRefused() {
    RequestZone zone = RequestZone.standalone("z", "999999999r/s", 1 << 20);
    assertEquals(0, zone.take("client", 0, 0));
    assertEquals(0, zone.peek("client", 3 * HOUR, 0), "peek after 3 hours");
    assertEquals(0, zone.take("client", 3 * HOUR, 0), "take after 3 hours");
    assertEquals(0, zone.take("client", 400 * 24 * HOUR, 0), "take after 400 days");
  }

  @Test
  void aKeyIdleForAYearAtAnEverydayRateIsAllowed() {
    RequestZone zone = RequestZone.standalone("z", "1000000r/s", 1 << 20);
    assertEquals(0, zone.take("client", 0, 0));
    assertEquals(0, zone.take("client", 365 * 24 * HOUR, 0));
  }

  @Test
  void theBurstStillRefusesWithinOneMillisecond() {
    RequestZone zone = RequestZone.standalone("z", "1r/s", 1 << 20);
    assertEquals(0, zone.take("client", 0, 0));
    assertEquals(-1, zone.take("client", 1, 0));
    assertEquals(0, zone.take("client", 1000, 0));
  }
}
