package dev.wharf.bench.fleet;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a version's time goes between the commit call and the fleet view: for each {@link Stage},
 * the first and the last moment (nanoTime) any thread marked it for that version, plus the status
 * batches that carried the version and the simulated nodes' parsing time, summed.
 *
 * <p>Threading: marked from gRPC event loops, the replica's watch and status-writer threads and the
 * benchmark's main thread, without a lock (a first version took a monitor per mark, and with two
 * marks per node and version the 1,000-node last ACK came out about 25% later on a loaded machine):
 * concurrent maps and atomic minimums, maximums and sums.
 */
final class VersionTimeline {
  /** The stages, in the order a version passes them. */
  enum Stage {
    /** The replica's config watch handed the version to the replica (decoded from etcd). */
    WATCH_SEEN("replica's watch delivers it"),
    /** The replica's publish returned: validated, swapped in, one push queued per stream. */
    PUBLISHED("replica validated it and queued every push"),
    /** A simulated node's gRPC client starts to parse the pushed message: it arrived. */
    NODE_RECEIVED("node receives the push"),
    /** A simulated node sent its ACK (after parsing the config, as a real node must). */
    ACK_SENT("node sends its ACK"),
    /** The replica handled a node's ACK (the status's updated_at, the replica's clock). */
    REPLICA_ACKED("replica handles the ACK"),
    /** A status batch holding a status of this version started its write to the store. */
    BATCH_START("status batch write starts"),
    /** ... and returned: the store holds it, the fleet view shows it. */
    BATCH_END("status batch write returns");

    final String label;

    Stage(String label) {
      this.label = label;
    }
  }

  /** One version's stages, in nanoseconds after {@code origin}; -1 for a stage never marked. */
  record Times(long[] firstNanos, long[] lastNanos, int batches, long nodeParseNanos) {
    long first(Stage s) {
      return firstNanos[s.ordinal()];
    }

    long last(Stage s) {
      return lastNanos[s.ordinal()];
    }
  }

  private static final class Marks {
    final AtomicLong[] first = new AtomicLong[Stage.values().length];
    final AtomicLong[] last = new AtomicLong[Stage.values().length];
    final AtomicInteger batches = new AtomicInteger();
    final AtomicLong parseNanos = new AtomicLong();

    Marks() {
      for (int i = 0; i < first.length; i++) {
        first[i] = new AtomicLong(Long.MAX_VALUE);
        last[i] = new AtomicLong(Long.MIN_VALUE);
      }
    }
  }

  private final Map<Long, Marks> byVersion = new ConcurrentHashMap<>();

  private Marks marks(long version) {
    return byVersion.computeIfAbsent(version, v -> new Marks());
  }

  void mark(long version, Stage stage, long nanos) {
    Marks m = marks(version);
    m.first[stage.ordinal()].accumulateAndGet(nanos, Math::min);
    m.last[stage.ordinal()].accumulateAndGet(nanos, Math::max);
  }

  /** A node's gRPC client parsed a push of {@code version} from {@code start} to {@code end}. */
  void parsed(long version, long start, long end) {
    mark(version, Stage.NODE_RECEIVED, start);
    marks(version).parseNanos.addAndGet(end - start);
  }

  /** A status batch written from {@code start} to {@code end} held statuses of {@code versions}. */
  void batch(List<Long> versions, long start, long end) {
    for (long v : versions.stream().distinct().toList()) {
      mark(v, Stage.BATCH_START, start);
      mark(v, Stage.BATCH_END, end);
      marks(v).batches.incrementAndGet();
    }
  }

  /** {@code version}'s stages relative to {@code origin} (its commit call's start). */
  Times times(long version, long origin) {
    Marks m = byVersion.getOrDefault(version, new Marks());
    int n = Stage.values().length;
    long[] first = new long[n];
    long[] last = new long[n];
    for (int i = 0; i < n; i++) {
      long f = m.first[i].get();
      first[i] = f == Long.MAX_VALUE ? -1 : f - origin;
      last[i] = f == Long.MAX_VALUE ? -1 : m.last[i].get() - origin;
    }
    return new Times(first, last, m.batches.get(), m.parseNanos.get());
  }
}
