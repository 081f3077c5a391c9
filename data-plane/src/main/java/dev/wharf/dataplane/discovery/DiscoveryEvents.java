package dev.wharf.dataplane.discovery;

import java.time.Duration;

/**
 * What a {@link DiscoveryClient} did, for logs, metrics and the command line. Every method is
 * called on the client's config thread, in order, and should return quickly; an exception thrown
 * here is logged and ignored.
 */
public interface DiscoveryEvents {
  /**
   * {@code version} serves now.
   *
   * @param source the snapshot file's path at boot, else {@code control plane HOST:PORT}
   */
  default void applied(long version, String source) {}

  /** {@code version} was refused; the previous config still serves. */
  default void refused(long version, String source, String reason) {}

  /** The stream to {@code target} ended; the next attempt goes to {@code next}. */
  default void streamEnded(String target, String status, String next, Duration retryIn) {}

  /**
   * The stream to {@code target} was lost, and why; followed by {@link #streamEnded} unless the
   * client is closing.
   */
  default void streamLost(String target, StreamLoss loss) {}

  /** An operator asked this node to drain; the process should stop as on SIGTERM. */
  default void drainRequested(String requestedBy) {}
}
