package dev.wharf.controlplane.discovery;

import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.MoveAway;
import dev.wharf.proto.discovery.v1.NodeMessage;
import java.time.Duration;

/**
 * When a replica last heard from one node, and the liveness messages it sends. A node that never
 * answered a heartbeat (older than heartbeats) is never timed out: it would look silent whenever it
 * has nothing to say. Guarded by the owning {@link NodeSession}'s lock.
 */
final class NodeLiveness {
  private long lastHeardNanos;
  private boolean answersHeartbeats;

  NodeLiveness(long nowNanos) {
    this.lastHeardNanos = nowNanos;
  }

  void heard(NodeMessage message, long nowNanos) {
    lastHeardNanos = nowNanos;
    if (message.hasHeartbeat()) {
      answersHeartbeats = true;
    }
  }

  /** How long the node has been silent, in ms, if that is at least {@code timeout}; else -1. */
  long silentMillis(long nowNanos, Duration timeout) {
    long silent = nowNanos - lastHeardNanos;
    return answersHeartbeats && silent >= timeout.toNanos() ? silent / 1_000_000 : -1;
  }

  static ControlMessage heartbeat(LivenessSettings settings) {
    int interval = (int) Math.min(Integer.MAX_VALUE, settings.heartbeatInterval().toMillis());
    return ControlMessage.newBuilder()
        .setHeartbeat(Heartbeat.newBuilder().setIntervalMillis(interval))
        .build();
  }

  static ControlMessage moveAway(String reason) {
    return ControlMessage.newBuilder().setMoveAway(MoveAway.newBuilder().setReason(reason)).build();
  }
}
