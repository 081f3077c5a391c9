package dev.wharf.dataplane.discovery;

import java.time.Duration;
import java.util.List;

/**
 * Which control-plane replica the node tries next, and after how long: the replicas in their
 * configured order, round robin, with a {@link Backoff} delay that grows with each stream that
 * failed before it proved healthy and starts over after one that did.
 *
 * <p>Not thread-safe: the discovery client uses it on its config thread only.
 */
final class Failover {
  /** Where to go next and when. */
  record Step(String target, Duration delay) {}

  /** Enough to reach any backoff's ceiling; keeps the count from growing without bound. */
  private static final int MAX_COUNTED_FAILURES = 64;

  private final List<String> targets;
  private final Backoff backoff;
  private int next;
  private int failures;

  Failover(List<String> targets, Backoff backoff) {
    this.targets = List.copyOf(targets);
    this.backoff = backoff;
  }

  /** The replica to connect to now. */
  String current() {
    return targets.get(next);
  }

  /**
   * The stream to {@link #current} ended (or never opened).
   *
   * @param healthy the stream delivered a snapshot or stayed up long enough: the backoff
   *     starts over
   */
  Step ended(boolean healthy) {
    if (healthy) {
      failures = 0;
    }
    next = (next + 1) % targets.size();
    Duration delay = backoff.delay(failures);
    failures = Math.min(failures + 1, MAX_COUNTED_FAILURES);
    return new Step(targets.get(next), delay);
  }
}
