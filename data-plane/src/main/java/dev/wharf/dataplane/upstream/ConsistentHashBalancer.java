package dev.wharf.dataplane.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A hash ring (nginx {@code hash $key consistent}): each endpoint owns 160 points per unit of
 * weight, a key goes to the first point at or after its hash. Removing an endpoint moves only the
 * keys it owned, so WebSocket clients keyed by session stay where they were.
 */
final class ConsistentHashBalancer implements Balancer {
  static final int POINTS_PER_WEIGHT = 160;

  private final List<UpstreamEndpoint> endpoints;
  private final long[] points; // sorted: (hash << 32) | endpoint index, hash unsigned

  ConsistentHashBalancer(List<UpstreamEndpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
    int total = 0;
    for (UpstreamEndpoint e : this.endpoints) {
      total += POINTS_PER_WEIGHT * e.weight();
    }
    points = new long[total];
    int p = 0;
    for (int index = 0; index < this.endpoints.size(); index++) {
      UpstreamEndpoint e = this.endpoints.get(index);
      for (int i = 0; i < POINTS_PER_WEIGHT * e.weight(); i++) {
        points[p++] = (hash(e.address() + '#' + i) << 32) | index;
      }
    }
    Arrays.sort(points);
  }

  @Override
  public UpstreamEndpoint pick(String hashKey, List<UpstreamEndpoint> tried) {
    if (points.length == 0 || tried.size() >= endpoints.size()) {
      return null;
    }
    long h = hash(hashKey == null ? "" : hashKey) << 32;
    int at = Arrays.binarySearch(points, h);
    int start = at >= 0 ? at : -at - 1;
    for (int i = 0; i < points.length; i++) {
      UpstreamEndpoint e = endpoints.get((int) points[(start + i) % points.length]);
      if (!tried.contains(e)) {
        return e;
      }
    }
    return null;
  }

  private static long hash(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
