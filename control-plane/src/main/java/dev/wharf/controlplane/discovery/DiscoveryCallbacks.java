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

  DiscoveryCallbacks NONE = new DiscoveryCallbacks() {};

  /** Tells {@code first}, then {@code second}. */
  static DiscoveryCallbacks both(DiscoveryCallbacks first, DiscoveryCallbacks second) {
    return new DiscoveryCallbacks() {
      @Override
      public void statusChanged(NodeStatus status) {
        first.statusChanged(status);
        second.statusChanged(status);
      }

      @Override
      public void disconnected(String nodeId) {
        first.disconnected(nodeId);
        second.disconnected(nodeId);
      }
    };
  }
}
