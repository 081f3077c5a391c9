package dev.wharf.bench.fleet;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a version's time goes between the commit call and the fleet view: for each {@link Stage},
 * the first and the last moment (nanoTime) any thread marked it for that version, plus the status
 * batches that carried the version and the simulated nodes' parsing time, summed.
 *
 * <p>Threading: marked from gRPC event loops, the replica's watch and status-writer threads and the
 * benchmark's main thread; a monitor is enough (a few thousand marks per version, each a map
 * lookup, against the milliseconds measured; the time is taken before the lock).
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
    final Map<Stage, long[]> span = new EnumMap<>(Stage.class);
    int batches;
    long parseNanos;
  }

  private final Map<Long, Marks> byVersion = new HashMap<>(); // guarded by this

  synchronized void mark(long version, Stage stage, long nanos) {
    long[] span =
        byVersion
            .computeIfAbsent(version, v -> new Marks())
            .span
            .computeIfAbsent(stage, s -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
    span[0] = Math.min(span[0], nanos);
    span[1] = Math.max(span[1], nanos);
  }

  /** A node's gRPC client parsed a push of {@code version} from {@code start} to {@code end}. */
  synchronized void parsed(long version, long start, long end) {
    mark(version, Stage.NODE_RECEIVED, start);
    byVersion.get(version).parseNanos += end - start;
  }

  /** A status batch written from {@code start} to {@code end} held statuses of {@code versions}. */
  synchronized void batch(List<Long> versions, long start, long end) {
    for (long v : versions.stream().distinct().toList()) {
      mark(v, Stage.BATCH_START, start);
      mark(v, Stage.BATCH_END, end);
      byVersion.get(v).batches++;
    }
  }

  /** {@code version}'s stages relative to {@code origin} (its commit call's start). */
  synchronized Times times(long version, long origin) {
    Marks m = byVersion.getOrDefault(version, new Marks());
    int n = Stage.values().length;
    long[] first = new long[n];
    long[] last = new long[n];
    for (Stage s : Stage.values()) {
      long[] span = m.span.get(s);
      first[s.ordinal()] = span == null ? -1 : span[0] - origin;
      last[s.ordinal()] = span == null ? -1 : span[1] - origin;
    }
    return new Times(first, last, m.batches, m.parseNanos);
  }
}
