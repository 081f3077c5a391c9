package dev.wharf.bench;

/**
 * Latencies in nanoseconds, log-linear buckets: exact below 128 ns, then 64 buckets per power of
 * two, so any reported percentile is within 1/64 (1.6%) above the true value. Fixed size (3,712
 * counters) whatever is recorded, so a long run costs no allocation.
 *
 * <p>Not thread-safe: each connection records into its own and the results are merged with {@link
 * #add} after the connections have stopped.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB_COUNT = 1 << SUB_BITS;

  /** Values below this are counted exactly, one bucket each. */
  private static final int LINEAR_LIMIT = SUB_COUNT * 2;

  // The top bit of a non-negative long is bit 62, so the largest shift is 62 - SUB_BITS.
  private static final int BUCKETS = (62 - SUB_BITS) * SUB_COUNT + LINEAR_LIMIT;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long max;

  void record(long nanos) {
    long value = Math.max(0, nanos);
    counts[index(value)]++;
    total++;
    max = Math.max(max, value);
  }

  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    max = Math.max(max, other.max);
  }

  long count() {
    return total;
  }

  /** The largest value recorded, exactly. */
  long max() {
    return max;
  }

  /**
   * The smallest bucket bound at or below which {@code percentile} percent of the values lie (never
   * more than {@link #max}); 0 when empty.
   */
  long valueAtPercentile(double percentile) {
    if (percentile < 0 || percentile > 100) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: 0-100)");
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(highestValueIn(i), max);
      }
    }
    return max;
  }

  static int index(long value) {
    if (value < LINEAR_LIMIT) {
      return (int) value;
    }
    int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
    // value >>> shift lies in [SUB_COUNT, 2 * SUB_COUNT): the top SUB_BITS + 1 bits.
    return shift * SUB_COUNT + (int) (value >>> shift);
  }

  static long highestValueIn(int index) {
    if (index < LINEAR_LIMIT) {
      return index;
    }
    int shift = index / SUB_COUNT - 1;
    long mantissa = (long) (index % SUB_COUNT) + SUB_COUNT;
    return ((mantissa + 1) << shift) - 1;
  }
}
