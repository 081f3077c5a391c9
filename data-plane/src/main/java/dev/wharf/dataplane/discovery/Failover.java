package dev.wharf.dataplane.discovery;

import dev.wharf.common.Backoff;
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

  private final List<String> targets;
  private final Backoff.Retries retries;
  private int next;

  Failover(List<String> targets, Backoff backoff) {
    this.targets = List.copyOf(targets);
    this.retries = backoff.retries();
  }

  /** Whether the list has another replica than the current one. */
  boolean hasOthers() {
    return targets.size() > 1;
  }

  /** The replica to connect to now. */
  String current() {
    return targets.get(next);
  }

  /**
   * The stream to {@link #current} ended (or never opened).
   *
   * @param healthy the stream delivered a snapshot or stayed up long enough: the backoff starts
   *     over
   */
  Step ended(boolean healthy) {
    if (healthy) {
      retries.reset();
    }
    next = (next + 1) % targets.size();
    return new Step(targets.get(next), retries.next());
  }
}
