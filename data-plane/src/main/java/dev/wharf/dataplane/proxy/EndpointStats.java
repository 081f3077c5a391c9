package dev.wharf.dataplane.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live counters of one endpoint of one upstream. They belong to the node, not to a config
 * snapshot, so least-connections balancing still sees the WebSockets opened under an older
 * snapshot after a swap. Updated from any event loop.
 */
public final class EndpointStats {
  private final AtomicInteger active = new AtomicInteger();

  /** Requests and WebSockets currently using the endpoint. */
  public int active() {
    return active.get();
  }

  void acquired() {
    active.incrementAndGet();
  }

  void released() {
    active.decrementAndGet();
  }
}
