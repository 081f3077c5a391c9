package dev.wharf.dataplane.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before reconnecting: exponential with jitter. The delay before attempt
 * {@code n} (0 for the first retry) is uniformly random between half and all of
 * {@code min(max, base * 2^n)}, so nodes that lost the same control plane at the same moment do
 * not all come back at the same moment.
 *
 * <p>Not thread-safe (the random source is not); a {@link DiscoveryClient} calls it from its
 * config thread only.
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

  @Override
  public String toString() {
    return "Backoff[base=" + Duration.ofNanos(baseNanos) + ", max=" + Duration.ofNanos(maxNanos)
        + "]";
  }
}
