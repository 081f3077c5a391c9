package dev.wharf.controlplane.discovery;

import dev.wharf.proto.discovery.v1.NodeStatus;

/**
 * What the discovery service tells the rest of the control plane about node streams. Called on gRPC
 * threads, possibly concurrently for different nodes, in order for one node; implementations must
 * not block (hand work to an executor they own).
 */
public interface DiscoveryCallbacks {
  /** A node's status changed: it said hello, ACKed or NACKed. */
  default void statusChanged(NodeStatus status) {}

  /** A node's stream ended on this replica. */
  default void disconnected(String nodeId) {}

  /**
   * Every push this replica sent has been answered (ACK or NACK) or its node left: the last status
   * of a rollout on this replica is known, called after that node's {@link #statusChanged}. A
   * status writer uses it to write the fleet's last change at once rather than behind a batch.
   */
  default void pushesAnswered() {}

  DiscoveryCallbacks NONE = new DiscoveryCallbacks() {};
}
