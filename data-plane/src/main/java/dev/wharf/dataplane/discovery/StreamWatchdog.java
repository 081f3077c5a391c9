package dev.wharf.dataplane.discovery;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Notices a control-plane replica that stopped answering (a hung process, a dead host whose TCP
 * connection stays open): a replica sends a heartbeat right after the hello and then every second
 * or so, so a stream that heard nothing at all for {@link #timeout} is given up and the node moves
 * to its next replica. Without this the node only noticed through gRPC's keep-alive, after 30 s of
 * silence and a 10 s wait.
 *
 * <p>The clock starts when the stream opens: a replica that accepts the TCP connection but never
 * answers (stopped with SIGSTOP) is noticed as well. A timeout of zero turns the check off (for
 * replicas older than heartbeats, which send nothing while there is nothing to push).
 *
 * <p>Threading: {@link #silent} may be called from any thread; the scheduled check only hands the
 * work to the config thread.
 */
final class StreamWatchdog {
  /** The default silence after which a replica is given up. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration MIN_CHECK_PERIOD = Duration.ofMillis(50);

  private final Duration timeout;
  private final LongSupplier nanoTime;

  StreamWatchdog(Duration timeout, LongSupplier nanoTime) {
    this.timeout = timeout;
    this.nanoTime = nanoTime;
  }

  Duration timeout() {
    return timeout;
  }

  /** Whether {@code stream} heard nothing from its replica for the timeout (never when off). */
  boolean silent(DiscoveryStream stream) {
    return !timeout.isZero() && nanoTime.getAsLong() - stream.lastHeardNanos() >= timeout.toNanos();
  }

  /**
   * Runs {@code check} on {@code configThread} ten times per timeout, so a silent replica is given
   * up at most a tenth of the timeout late; nothing when the timeout is zero.
   */
  ScheduledFuture<?> schedule(
      ScheduledExecutorService timers, Executor configThread, Runnable check) {
    if (timeout.isZero()) {
      return null;
    }
    long period = Math.max(MIN_CHECK_PERIOD.toNanos(), timeout.toNanos() / 10);
    return timers.scheduleWithFixedDelay(
        () -> {
          try {
            configThread.execute(check);
          } catch (RejectedExecutionException e) {
            // closing
          }
        },
        period,
        period,
        TimeUnit.NANOSECONDS);
  }

  /** The timeout as the log says it: {@code 5 s}, {@code 300 ms}. */
  @Override
  public String toString() {
    long millis = timeout.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  /** Checks {@code timeout}: zero (off) or positive. */
  static Duration validate(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException(
          "controlPlaneTimeout: " + timeout + " (expected: >= 0, 0 turns the check off)");
    }
    return timeout;
  }
}
