package dev.wharf.dataplane.ratelimit;

import dev.wharf.config.Rates;
import dev.wharf.proto.config.v1.RateLimitZone;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one {@code limit_req_zone}: a leaky bucket per key, kept as nginx keeps it so the
 * same requests at the same milliseconds get the same verdicts.
 *
 * <p>Per key: {@code excess}, in thousandths of a request, and {@code last}, the millisecond of its
 * last change. A request at {@code now} makes it {@code max(0, excess - rate * (now - last) / 1000
 * + 1000)} (integer arithmetic, {@code rate} in thousandths of a request per second); the first
 * request of a key makes it 0. Above {@code burst * 1000} the request is refused and the bucket is
 * left as it was; otherwise it is stored and the request waits {@code (excess - delay * 1000) *
 * 1000 / rate} ms when positive ({@link RouteLimits}).
 *
 * <p>Memory is bounded as nginx's zone: each key costs {@link Rates#keyCost}; a key that does not
 * fit evicts the least recently used ones. Node-wide and shared by every event loop: each call
 * holds the zone's lock for a map lookup and a few arithmetic operations.
 */
public final class RequestZone {
  /** What makes a zone the same across a config swap: then its state is kept. */
  record Identity(String name, String key, long milliRate) {}

  private static final class Bucket {
    long excess;
    long last;
    final long cost;

    Bucket(long cost, long now) {
      this.cost = cost;
      this.last = now;
    }
  }

  private final Identity identity;
  private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true);
  private final ZoneMeters meters;
  private long capacity;
  private long used;

  RequestZone(Identity identity, long capacity, ZoneMeters meters) {
    this.identity = identity;
    this.capacity = capacity;
    this.meters = meters;
  }

  /** For tests and tools: a zone with meters nobody reads. */
  public static RequestZone standalone(String name, String rate, long capacity) {
    long milli = Rates.milliRequestsPerSecond(rate).orElseThrow();
    return new RequestZone(new Identity(name, "", milli), capacity, ZoneMeters.unregistered());
  }

  Identity identity() {
    return identity;
  }

  ZoneMeters meters() {
    return meters;
  }

  long milliRate() {
    return identity.milliRate();
  }

  /**
   * The excess a request for {@code key} at {@code nowMillis} would leave, without counting it; -1
   * when it is over {@code burstMilli} (the request is refused).
   */
  public synchronized long peek(String key, long nowMillis, long burstMilli) {
    Bucket b = buckets.get(key);
    long excess = b == null ? 0 : drained(b, nowMillis);
    return excess > burstMilli ? -1 : excess;
  }

  /**
   * Counts a request for {@code key} at {@code nowMillis}: the excess it leaves, or -1 when it is
   * over {@code burstMilli} or the zone cannot hold the key at all (nothing is counted then).
   */
  public synchronized long take(String key, long nowMillis, long burstMilli) {
    Bucket b = buckets.get(key);
    if (b == null) {
      long cost = Rates.keyCost(RateLimitZone.Kind.REQUESTS, utf8Length(key));
      if (!makeRoom(cost)) {
        return -1;
      }
      buckets.put(key, new Bucket(cost, nowMillis));
      used += cost;
      return 0;
    }
    long excess = drained(b, nowMillis);
    if (excess > burstMilli) {
      return -1;
    }
    long ms = elapsed(b, nowMillis);
    b.excess = excess;
    if (ms != 0) {
      b.last = nowMillis;
    }
    return excess;
  }

  private long drained(Bucket b, long nowMillis) {
    long ms = elapsed(b, nowMillis);
    if (ms > 0 && milliRate() > Long.MAX_VALUE / ms) {
      // rate * ms would overflow: it drains more than any excess (at most burst * 1000) holds.
      // nginx never gets here, as it drops a key idle for 60 s; here a key stays until evicted.
      return 0;
    }
    long excess = b.excess - milliRate() * ms / 1000 + 1000;
    return Math.max(0, excess);
  }

  /** nginx's clock rules: a clock that went back a little counts as 0 ms, a lot as 1 ms. */
  private static long elapsed(Bucket b, long nowMillis) {
    long ms = nowMillis - b.last;
    if (ms < -60_000) {
      return 1;
    }
    return Math.max(0, ms);
  }

  /** Evicts least recently used keys until {@code cost} fits; false when it never can. */
  private boolean makeRoom(long cost) {
    if (cost > capacity) {
      return false;
    }
    Iterator<Map.Entry<String, Bucket>> oldest = buckets.entrySet().iterator();
    while (used + cost > capacity && oldest.hasNext()) {
      used -= oldest.next().getValue().cost;
      oldest.remove();
      meters.evicted();
    }
    return true;
  }

  /** A config swap kept the zone but changed its size: later keys fit in the new one. */
  synchronized void resize(long bytes) {
    capacity = bytes;
    makeRoom(0);
  }

  /** Keys held now. */
  public synchronized int size() {
    return buckets.size();
  }

  static int utf8Length(String key) {
    int n = key.length();
    for (int i = 0; i < key.length(); i++) {
      if (key.charAt(i) >= 0x80) {
        return key.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }
}
