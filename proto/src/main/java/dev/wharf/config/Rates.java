package dev.wharf.config;

import dev.wharf.proto.config.v1.RateLimitZone;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's {@code rate=} values and zone sizes, read the same way by the validator, the importer and
 * the data plane.
 */
public final class Rates {
  /** nginx's {@code 10r/s} or {@code 30r/m}. */
  private static final Pattern RATE = Pattern.compile("([0-9]{1,9})r/([sm])");

  /** A zone without a size holds what nginx's common {@code zone=NAME:10m} holds. */
  public static final long DEFAULT_ZONE_BYTES = 10L << 20;

  /** nginx declines to limit by a key longer than this (it logs it and lets the request pass). */
  public static final int MAX_KEY_BYTES = 65535;

  /** The status of a refused request when the route does not say (Wharf's; nginx's is 503). */
  public static final int DEFAULT_STATUS = 429;

  private Rates() {}

  /**
   * The rate in thousandths of a request per second, as nginx keeps it ({@code 10r/s} is 10000,
   * {@code 30r/m} is 500); empty when {@code text} is not a rate or is 0.
   */
  public static OptionalLong milliRequestsPerSecond(String text) {
    Matcher m = RATE.matcher(text.strip());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(m.group(1));
    long milli = m.group(2).equals("s") ? n * 1000 : n * 1000 / 60;
    return milli == 0 ? OptionalLong.empty() : OptionalLong.of(milli);
  }

  /** The zone's size in bytes, the default when unset. */
  public static long zoneBytes(RateLimitZone zone) {
    return zone.hasSize() && zone.getSize().getBytes() > 0
        ? zone.getSize().getBytes()
        : DEFAULT_ZONE_BYTES;
  }

  /**
   * What one key costs in its zone, as nginx's node of the zone's shared memory: a fixed part (64
   * bytes for a request zone, 32 for a connection zone) and the key's bytes.
   */
  public static long keyCost(RateLimitZone.Kind kind, int keyBytes) {
    return (kind == RateLimitZone.Kind.CONNECTIONS ? 32 : 64) + (long) keyBytes;
  }
}
