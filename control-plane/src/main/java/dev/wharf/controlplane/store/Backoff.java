package dev.wharf.controlplane.store;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Pauses between retries: {@code base}, doubling up to {@code max}, each drawn at random from
 * its upper half so replicas that lost etcd together do not come back in step. Not thread-safe:
 * each retry loop owns one.
 */
final class Backoff {
  private final Duration base;
  private final Duration max;
  private final RandomGenerator random;
  private Duration next;

  Backoff(Duration base, Duration max, RandomGenerator random) {
    this.base = base;
    this.max = max;
    this.random = random;
    this.next = base;
  }

  /** The pause before the next retry. */
  Duration next() {
    Duration ceiling = next;
    next = ceiling.multipliedBy(2).compareTo(max) > 0 ? max : ceiling.multipliedBy(2);
    long half = ceiling.toNanos() / 2;
    return Duration.ofNanos(half + random.nextLong(half + 1));
  }

  /** After a success: the next failure waits {@code base} again. */
  void reset() {
    next = base;
  }
}
