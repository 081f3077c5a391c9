package dev.wharf.common;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before retrying: exponential with jitter, the one policy of every Wharf retry
 * loop (a data plane node reconnecting to the control plane, a control plane replica re-watching
 * etcd). The delay before attempt {@code n} (0 for the first retry) is uniformly random between
 * half and all of {@code min(max, base * 2^n)}, so peers that lost the same server at the same
 * moment do not all come back at the same moment.
 *
 * <p>The policy itself holds no state; a loop that would rather not count its failures takes {@link
 * #retries()}. Not thread-safe (the random source is not): each retry loop owns its instance, or
 * calls it from one thread only.
 */
public final class Backoff {
  public static final Duration DEFAULT_BASE = Duration.ofMillis(250);
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(10);

  private final long baseNanos;
  private final long maxNanos;
  private final RandomGenerator random;

  private Backoff(Duration base, Duration max, RandomGenerator random) {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
    }
    this.baseNanos = base.toNanos();
    this.maxNanos = max.toNanos();
    this.random = Objects.requireNonNull(random, "random");
  }

  /** 250 ms doubling up to 10 s. */
  public static Backoff defaults() {
    return exponential(DEFAULT_BASE, DEFAULT_MAX, RandomGenerator.getDefault());
  }

  public static Backoff exponential(Duration base, Duration max, RandomGenerator random) {
    return new Backoff(base, max, random);
  }

  /** The delay before retry {@code attempt} (0-based), jitter included. */
  public Duration delay(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 0)");
    }
    long ceiling = ceiling(attempt);
    long floor = ceiling / 2;
    return Duration.ofNanos(floor + random.nextLong(ceiling - floor + 1));
  }

  /** {@code min(max, base * 2^attempt)} without overflowing. */
  long ceiling(int attempt) {
    if (attempt >= Long.numberOfLeadingZeros(baseNanos)) {
      return maxNanos;
    }
    return Math.min(maxNanos, baseNanos << attempt);
  }

  /** A counter of consecutive failures over this policy, starting at the first retry. */
  public Retries retries() {
    return new Retries(this);
  }

  /**
   * The pauses of one retry loop: each {@link #next} is the delay of the following attempt, until
   * {@link #reset} after a success starts again from {@code base}. Not thread-safe.
   */
  public static final class Retries {
    private final Backoff policy;
    private int attempt;

    private Retries(Backoff policy) {
      this.policy = policy;
    }

    /** The pause before the next retry. */
    public Duration next() {
      Duration delay = policy.delay(attempt);
      if (attempt < Integer.MAX_VALUE) {
        attempt++;
      }
      return delay;
    }

    /** After a success: the next failure waits about {@code base} again. */
    public void reset() {
      attempt = 0;
    }
  }

  @Override
  public String toString() {
    return "Backoff[base="
        + Duration.ofNanos(baseNanos)
        + ", max="
        + Duration.ofNanos(maxNanos)
        + "]";
  }
}
