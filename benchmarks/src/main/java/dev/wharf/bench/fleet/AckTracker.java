package dev.wharf.bench.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulated fleet's ACKs, by version: which nodes sent one and when (the first and the last),
 * and anything that went wrong on a stream.
 *
 * <p>Threading: nodes report from gRPC threads; one thread {@link #await}s a version. A monitor is
 * enough: a thousand ACKs per change take the lock a thousand times, far below the milliseconds
 * measured, and the ACK's time is taken before the lock.
 */
final class AckTracker {
  /** Every ACK of one version: how many nodes, the first and last send time (nanoTime). */
  record Acks(long version, int nodes, long firstSentNanos, long lastSentNanos, int duplicates) {}

  private static final class Tally {
    final BitSet nodes = new BitSet();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    int duplicates;
  }

  private final int nodes;
  private final Map<Long, Tally> byVersion = new HashMap<>(); // guarded by this
  private final List<String> problems = new ArrayList<>(); // guarded by this

  AckTracker(int nodes) {
    this.nodes = nodes;
  }

  /** Node {@code node} (0-based) handed its ACK of {@code version} to gRPC at {@code nanos}. */
  synchronized void acked(int node, long version, long nanos) {
    Tally t = byVersion.computeIfAbsent(version, v -> new Tally());
    if (t.nodes.get(node)) {
      t.duplicates++;
    }
    t.nodes.set(node);
    t.first = Math.min(t.first, nanos);
    t.last = Math.max(t.last, nanos);
    if (t.nodes.cardinality() == nodes) {
      notifyAll();
    }
  }

  /** A stream broke the protocol or ended while it should not have. */
  synchronized void problem(String what) {
    if (problems.size() < 100) {
      problems.add(what);
    }
    notifyAll();
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * Waits until every node ACKed {@code version}.
   *
   * @throws TimeoutException when {@code timeout} passes first; says how many nodes are missing
   * @throws IllegalStateException when a stream reported a problem meanwhile
   */
  synchronized Acks await(long version, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            "waiting for version "
                + version
                + ": "
                + problems.get(0)
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
      }
      Tally t = byVersion.get(version);
      int acked = t == null ? 0 : t.nodes.cardinality();
      if (acked == nodes) {
        return new Acks(version, acked, t.first, t.last, t.duplicates);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            acked + " of " + nodes + " nodes ACKed version " + version + " within " + timeout);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
