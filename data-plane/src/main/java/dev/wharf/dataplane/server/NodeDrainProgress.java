package dev.wharf.dataplane.server;

import dev.wharf.config.Timestamps;
import dev.wharf.proto.discovery.v1.DrainProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;

/**
 * How far a node drain has come, as the node reports it to the control plane ({@code wharfctl drain
 * NODE --wait}, {@code wharfctl nodes}): connections still open, connections that ended since the
 * node told them to go away, WebSockets among the open ones, and when the drain gives up. {@link
 * NodeDrain} marks its steps; the discovery client reads {@link #report} on its config thread.
 * Thread-safe: the marks are volatile and the counts are read live, so nothing here waits for an
 * event loop.
 */
public final class NodeDrainProgress {
  private final IntSupplier open;
  private final IntSupplier websockets;
  private final Clock clock;
  private volatile Instant deadline; // null until the drain starts
  private volatile int openWhenToldToGo = -1; // -1 until the connections are told to go away

  NodeDrainProgress(IntSupplier open, IntSupplier websockets, Clock clock) {
    this.open = open;
    this.websockets = websockets;
    this.clock = clock;
  }

  /** The drain started now and stops waiting after {@code timeout}. */
  void started(Duration timeout) {
    deadline = clock.instant().plus(timeout);
  }

  /** The listeners are closed and the open connections are about to be told to go away. */
  void goingAway() {
    openWhenToldToGo = open.getAsInt();
  }

  /** The drain's progress now, or null when the node does not drain. */
  public DrainProgress report() {
    Instant d = deadline;
    if (d == null) {
      return null;
    }
    int now = open.getAsInt();
    int before = openWhenToldToGo;
    return DrainProgress.newBuilder()
        .setConnectionsOpen(now)
        .setConnectionsClosed(before < 0 ? 0 : Math.max(0, before - now))
        .setWebsocketsOpen(websockets.getAsInt())
        .setDeadline(Timestamps.toProto(d))
        .build();
  }
}
