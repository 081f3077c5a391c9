package dev.wharf.dataplane.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a node out of service without dropping what it serves, on SIGTERM or when an operator asks
 * ({@code wharfctl drain NODE}). The order:
 *
 * <ol>
 *   <li>{@code /readyz} turns 503 at once ({@link DataPlaneNode#markDraining}), so load balancers
 *       and Kubernetes stop sending new clients;
 *   <li>for the grace period the node still accepts and serves normally: clients that picked it
 *       before the readiness change are not refused;
 *   <li>the listeners close ({@link DataPlaneNode#stopAccepting}): no new connections;
 *   <li>every open connection is told to go away ({@link DataPlaneNode#goAway}): idle keep-alive
 *       connections close now, a request in flight gets {@code Connection: close} on its response;
 *       WebSockets get {@code 1001 Going Away} at a frame boundary to both sides, spread by their
 *       drain policies over three quarters of the time left (the last quarter is for the close
 *       handshakes), and close after the close handshakes;
 *   <li>the drain ends when no connection is left, or at the hard timeout, whichever comes first;
 *       the caller then closes the node (what is left is closed abruptly).
 * </ol>
 *
 * <p>Its steps are marked in the node's {@link NodeDrainProgress}, which a node connected to a
 * control plane reports to its replica while it drains ({@code wharfctl drain NODE --wait}).
 *
 * <p>Runs on the calling thread (the process's main thread), never on an event loop.
 */
public final class NodeDrain {
  private static final Logger log = LoggerFactory.getLogger(NodeDrain.class);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * @param grace time between readiness turning false and the listeners closing
   * @param timeout the whole drain's bound, grace included
   */
  public record Settings(Duration grace, Duration timeout) {
    public Settings {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("drain grace: " + grace + " (expected: >= 0)");
      }
      if (timeout.compareTo(grace) < 0) {
        throw new IllegalArgumentException(
            "drain timeout: " + timeout + " (expected: >= the grace period " + grace + ")");
      }
    }
  }

  private NodeDrain() {}

  /**
   * Drains {@code node}; returns the number of connections still open when it stopped waiting (0
   * when every one finished).
   *
   * @param nanoTime monotonic time ({@code System::nanoTime})
   */
  public static int run(DataPlaneNode node, Settings settings, LongSupplier nanoTime) {
    long start = nanoTime.getAsLong();
    long deadline = start + settings.timeout().toNanos();
    node.markDraining();
    node.drainProgress().started(settings.timeout());
    log.info(
        "draining: not ready any more; accepting for {} more, then closing {} connection(s)"
            + " gracefully (at most {})",
        settings.grace(),
        node.openConnections(),
        settings.timeout());
    waitUntil(nanoTime, start + settings.grace().toNanos());
    node.stopAccepting();
    long remaining = Math.max(0, deadline - nanoTime.getAsLong());
    // Before any connection is told: the line orders the grace and the closes in the log.
    log.info(
        "draining: listeners closed; telling {} connection(s) to go away", node.openConnections());
    node.drainProgress().goingAway();
    node.goAway(Duration.ofNanos(remaining / 4 * 3)); // a quarter kept for close handshakes
    long nextReport = nanoTime.getAsLong() + REPORT_NANOS;
    while (node.openConnections() > 0 && nanoTime.getAsLong() < deadline) {
      if (nanoTime.getAsLong() >= nextReport) {
        log.info("draining: {} connection(s) left", node.openConnections());
        nextReport += REPORT_NANOS;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    int left = node.openConnections();
    Duration took = Duration.ofNanos(nanoTime.getAsLong() - start);
    if (left == 0) {
      log.info("drained in {}", took);
    } else {
      log.warn("drain timeout after {}: closing {} connection(s) abruptly", took, left);
    }
    return left;
  }

  private static void waitUntil(LongSupplier nanoTime, long until) {
    long now;
    while ((now = nanoTime.getAsLong()) < until) {
      LockSupport.parkNanos(Math.min(POLL_NANOS, until - now));
    }
  }
}
