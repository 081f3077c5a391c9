package dev.wharf.dataplane.ratelimit;

import dev.wharf.config.Rates;
import dev.wharf.proto.config.v1.RateLimitZone;
import java.util.HashMap;

/**
 * The state of one {@code limit_conn_zone}: how many requests are in progress per key (nginx counts
 * requests, HTTP/2 streams included, not TCP connections). A key is held while its count is above
 * 0, so memory follows the requests in progress; a full zone refuses a new key, as nginx's does.
 *
 * <p>Node-wide and shared by every event loop, under the zone's lock.
 */
public final class ConnectionZone {
  /** What makes a zone the same across a config swap: then its counts are kept. */
  record Identity(String name, String key) {}

  private final Identity identity;
  private final HashMap<String, Integer> counts = new HashMap<>();
  private final ZoneMeters meters;
  private long capacity;
  private long used;

  ConnectionZone(Identity identity, long capacity, ZoneMeters meters) {
    this.identity = identity;
    this.capacity = capacity;
    this.meters = meters;
  }

  /** For tests: a zone with meters nobody reads. */
  public static ConnectionZone standalone(String name, long capacity) {
    return new ConnectionZone(new Identity(name, ""), capacity, ZoneMeters.unregistered());
  }

  Identity identity() {
    return identity;
  }

  ZoneMeters meters() {
    return meters;
  }

  /** Counts one more request for {@code key}; false (nothing counted) when at {@code max}. */
  public synchronized boolean acquire(String key, int max) {
    Integer count = counts.get(key);
    if (count == null) {
      long cost = cost(key);
      if (used + cost > capacity) {
        return false;
      }
      used += cost;
      counts.put(key, 1);
      return true;
    }
    if (count >= max) {
      return false;
    }
    counts.put(key, count + 1);
    return true;
  }

  /** A request counted by {@link #acquire} ended. */
  public synchronized void release(String key) {
    Integer count = counts.get(key);
    if (count == null) {
      return;
    }
    if (count <= 1) {
      counts.remove(key);
      used -= cost(key);
    } else {
      counts.put(key, count - 1);
    }
  }

  /** Requests in progress for {@code key}. */
  public synchronized int count(String key) {
    return counts.getOrDefault(key, 0);
  }

  synchronized void resize(long bytes) {
    capacity = bytes;
  }

  private static long cost(String key) {
    return Rates.keyCost(RateLimitZone.Kind.CONNECTIONS, RequestZone.utf8Length(key));
  }
}
