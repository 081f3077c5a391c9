package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void valuesBelow128NanosAreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertEquals(50, h.valueAtPercentile(50));
    assertEquals(99, h.valueAtPercentile(99));
    assertEquals(100, h.valueAtPercentile(100));
    assertEquals(100, h.max());
  }

  @Test
  void percentilesAreNeverBelowTheTrueValueAndAtMostOneSixtyFourthAbove() {
    Random random = new Random(42);
    long[] values = new long[100_000];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      // 50 us to 50 ms, log-uniform, like round trips on a busy machine.
      values[i] = (long) (50_000 * Math.pow(1000, random.nextDouble()));
      h.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {1, 50, 90, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      long reported = h.valueAtPercentile(p);
      assertTrue(
          reported >= exact && reported <= exact + exact / 64,
          "p" + p + ": reported " + reported + ", exact " + exact);
    }
    assertEquals(values[values.length - 1], h.max());
    assertEquals(values.length, h.count());
  }

  @Test
  void everyBucketHoldsTheValuesThatMapToIt() {
    for (long v :
        new long[] {0, 127, 128, 129, 255, 256, 1_000_000, Long.MAX_VALUE / 3, Long.MAX_VALUE}) {
      int index = LatencyHistogram.index(v);
      assertTrue(LatencyHistogram.highestValueIn(index) >= v, "upper bound of " + v);
      assertTrue(
          index == 0 || LatencyHistogram.highestValueIn(index - 1) < v, "previous bucket of " + v);
    }
  }

  @Test
  void mergedHistogramsCountBoth() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000);
    b.record(9_000_000);
    a.add(b);
    assertEquals(2, a.count());
    assertEquals(9_000_000, a.max());
    assertTrue(a.valueAtPercentile(50) < 1_100);
  }

  @Test
  void anEmptyHistogramReportsZero() {
    assertEquals(0, new LatencyHistogram().valueAtPercentile(99));
  }
}
