package dev.wharf.dataplane.drain;

import io.netty.util.concurrent.EventExecutor;

/** A long-lived connection that drain policies apply to: today a relayed WebSocket. */
public interface Drainable {
  Placement placement();

  /** The event loop the connection lives on; {@link #goAway} is called there. */
  EventExecutor executor();

  /** Ends the connection gracefully (a WebSocket: {@code 1001} at a frame boundary). */
  void goAway();
}
