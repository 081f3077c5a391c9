package dev.wharf.bench.fleet;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The replica's own view of the fleet's latency: its {@code wharf_cp_push_to_ack} timer, the time
 * from writing a snapshot to one node's stream to receiving that node's ACK. One value per node and
 * push, so it shows the spread across nodes, not the time until the last one.
 *
 * <p>The timer is the production one; {@link #configure} only gives it finer buckets (so its
 * percentiles are read to within 0.1-10 ms, see {@link #BOUNDS_MILLIS}) and a histogram that never
 * rotates, so the difference of two {@link Counts} is exactly the pushes between them.
 */
final class PushToAckView {
  static final String TIMER = "wharf_cp_push_to_ack";

  /** Bucket upper bounds: 0.1 ms steps to 2 ms, 0.5 ms to 20 ms, 2 ms to 100 ms, then coarser. */
  static final double[] BOUNDS_MILLIS = bounds();

  /** The timer's cumulative counts at one moment. */
  record Counts(long count, double totalNanos, double[] boundsNanos, double[] atOrBelow) {}

  /** Pushes answered between two moments: count, mean, and percentiles as bucket bounds. */
  record Stats(
      long count, double meanMillis, double p50Millis, double p99Millis, double maxMillis) {}

  private PushToAckView() {}

  /** Call before the replica registers its meters. */
  static void configure(MeterRegistry registry) {
    double[] slos = new double[BOUNDS_MILLIS.length];
    for (int i = 0; i < slos.length; i++) {
      slos[i] = BOUNDS_MILLIS[i] * 1e6; // a timer's histogram is configured in nanoseconds
    }
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(TIMER)) {
                  return config;
                }
                return DistributionStatisticConfig.builder()
                    .serviceLevelObjectives(slos)
                    .expiry(Duration.ofDays(1))
                    .bufferLength(1)
                    .build()
                    .merge(config);
              }
            });
  }

  static Counts counts(MeterRegistry registry) {
    Timer timer = registry.get(TIMER).timer();
    HistogramSnapshot s = timer.takeSnapshot();
    CountAtBucket[] buckets = s.histogramCounts();
    double[] bounds = new double[buckets.length];
    double[] counts = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = buckets[i].bucket(TimeUnit.NANOSECONDS);
      counts[i] = buckets[i].count();
    }
    return new Counts(s.count(), s.total(TimeUnit.NANOSECONDS), bounds, counts);
  }

  /**
   * The replica's {@code wharf_cp_publish} timers: versions published, then total milliseconds
   * spent validating and fanning out.
   */
  static double[] publishTotals(MeterRegistry registry) {
    Timer validate = registry.get("wharf_cp_publish").tag("stage", "validate").timer();
    Timer fanOut = registry.get("wharf_cp_publish").tag("stage", "fan_out").timer();
    return new double[] {
      validate.count(),
      validate.totalTime(TimeUnit.MILLISECONDS),
      fanOut.totalTime(TimeUnit.MILLISECONDS)
    };
  }

  /** What happened between {@code before} and {@code after} (taken from the same timer). */
  static Stats between(Counts before, Counts after) {
    long count = after.count() - before.count();
    if (count <= 0) {
      return new Stats(0, 0, 0, 0, 0);
    }
    double mean = (after.totalNanos() - before.totalNanos()) / count / 1e6;
    return new Stats(
        count,
        mean,
        percentile(before, after, count, 50),
        percentile(before, after, count, 99),
        percentile(before, after, count, 100));
  }

  /** The upper bound of the bucket holding the value of rank ceil(p% of count). */
  private static double percentile(Counts before, Counts after, long count, double p) {
    long rank = Math.max(1, (long) Math.ceil(p / 100 * count));
    double[] bounds = after.boundsNanos();
    for (int i = 0; i < bounds.length; i++) {
      double atOrBelow = after.atOrBelow()[i] - before.atOrBelow()[i];
      if (atOrBelow >= rank) {
        return bounds[i] / 1e6;
      }
    }
    return Double.POSITIVE_INFINITY; // beyond the last bucket (30 s)
  }

  private static double[] bounds() {
    List<Double> b = new ArrayList<>();
    step(b, 0.1, 2, 0.1);
    step(b, 2.5, 20, 0.5);
    step(b, 22, 100, 2);
    step(b, 110, 1000, 10);
    step(b, 1100, 5000, 100);
    return b.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void step(List<Double> into, double from, double to, double step) {
    for (int i = 0; from + i * step <= to + 1e-9; i++) {
      into.add(Math.round((from + i * step) * 10) / 10.0);
    }
  }
}
