package dev.wharf.dataplane.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live state of one endpoint of one upstream: active connections, the verdict of active health
 * checks and passive ejection. It belongs to the node, not to a config snapshot, so it survives
 * swaps: least-connections still sees WebSockets opened under an older snapshot, and an endpoint
 * that stays in the config keeps its health.
 *
 * <p>An endpoint starts healthy, as in nginx and Envoy without a mandatory first check: a new
 * config does not black-hole traffic until the first checks have run.
 *
 * <p>Threading: written from any thread (event loops, health checks); read on event loops without
 * locks. Ejection decisions are made under the upstream's {@link OutlierDetector} lock.
 */
public final class EndpointStats {
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile boolean healthy = true;

  /** Ticker time until which passive ejection keeps the endpoint out; meaningful if ejected. */
  private volatile long ejectedUntil;

  private volatile boolean ejected;

  /** Ticker time of the first failure counted in the current {@code failure_window}. */
  private volatile long firstFailureAt;

  // Guarded by the upstream's OutlierDetector.
  int ejections;
  long lastEjectionEnd;

  /** Requests and WebSockets currently using the endpoint. */
  public int active() {
    return active.get();
  }

  /** A connection to the endpoint is being opened or used by a request. */
  public void acquired() {
    active.incrementAndGet();
  }

  /** ...and is not any more. */
  public void released() {
    active.decrementAndGet();
  }

  /** The verdict of active health checks (true when the upstream has none). */
  public boolean healthy() {
    return healthy;
  }

  /** Set by active health checks; returns whether the verdict changed. */
  public boolean healthy(boolean value) {
    boolean was = healthy;
    healthy = value;
    return was != value;
  }

  /** Whether passive ejection keeps the endpoint out at ticker time {@code now}. */
  public boolean ejected(long now) {
    return ejected && now - ejectedUntil < 0;
  }

  /** Healthy and not ejected: the balancers may pick it. */
  public boolean usable(long now) {
    return healthy && !ejected(now);
  }

  /**
   * Counts a failure at ticker time {@code now} and returns the count. With a {@code windowNanos}
   * above zero (nginx {@code fail_timeout}) a failure more than that long after the first counted
   * one starts the count over, as nginx does; 0 counts failures in a row whatever the time.
   */
  int failed(long now, long windowNanos) {
    if (windowNanos > 0 && now - firstFailureAt > windowNanos) {
      synchronized (consecutiveFailures) {
        if (now - firstFailureAt > windowNanos) {
          firstFailureAt = now;
          consecutiveFailures.set(0);
        }
      }
    }
    return consecutiveFailures.incrementAndGet();
  }

  void succeeded() {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
  }

  void eject(long until) {
    consecutiveFailures.set(0);
    firstFailureAt = until;
    ejectedUntil = until;
    ejected = true;
  }

  long ejectedUntil() {
    return ejectedUntil;
  }
}
