package dev.wharf.bench.fleet;

import java.util.Arrays;
import java.util.List;

/**
 * A few hundred measured durations, kept exactly: percentiles by nearest rank (the value at rank
 * ceil(p% of n)), so with 100 samples p99 is the second largest, and below 100 it is the max.
 */
final class Samples {
  private final long[] sortedNanos;

  Samples(long[] nanos) {
    sortedNanos = nanos.clone();
    Arrays.sort(sortedNanos);
  }

  static Samples of(List<Long> nanos) {
    return new Samples(nanos.stream().mapToLong(Long::longValue).toArray());
  }

  int count() {
    return sortedNanos.length;
  }

  double percentileMillis(double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.max(1, Math.ceil(p / 100 * sortedNanos.length));
    return sortedNanos[rank - 1] / 1e6;
  }

  double p50Millis() {
    return percentileMillis(50);
  }

  double p99Millis() {
    return percentileMillis(99);
  }

  double maxMillis() {
    return percentileMillis(100);
  }
}
