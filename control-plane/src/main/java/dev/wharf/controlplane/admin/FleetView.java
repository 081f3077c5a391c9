package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fleet as ListNodes and GetRollout show it: every node with a live status (CONNECTED: its
 * replica holds its stream), and every node the replicas remember (node records, kept for the
 * control plane's {@code --node-memory} window) whose status is gone: DISCONNECTED since its
 * replica saw its stream end, or UNKNOWN when its status vanished without a word (its replica hung
 * or died and its lease expired), with the last version it reported. So a rollout counts the nodes
 * that should exist, not only those that answer.
 */
final class FleetView {
  private FleetView() {}

  /** Live statuses and remembered nodes, by node id. Two reads of the store. */
  static List<NodeStatus> read(ConfigStore store) throws StoreException {
    return merge(store.nodes().list(), store.nodeRecords().list());
  }

  static List<NodeStatus> merge(List<NodeStatus> live, List<NodeStatus> records) {
    List<NodeStatus> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (NodeStatus s : live) {
      seen.add(s.getNodeId());
      out.add(
          s.getConnection() == NodeConnection.NODE_CONNECTION_CONNECTED
              ? s
              : s.toBuilder()
                  .setConnection(NodeConnection.NODE_CONNECTION_CONNECTED)
                  .clearDisconnectedSince()
                  .build());
    }
    for (NodeStatus r : records) {
      if (!seen.add(r.getNodeId())) {
        continue;
      }
      if (r.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED) {
        out.add(r);
      } else { // recorded connected, yet no live status: nobody knows what became of it
        out.add(
            r.toBuilder()
                .setConnection(NodeConnection.NODE_CONNECTION_UNKNOWN)
                .setDisconnectedSince(r.getUpdatedAt())
                .build());
      }
    }
    out.sort(Comparator.comparing(NodeStatus::getNodeId));
    return List.copyOf(out);
  }

  static boolean connected(NodeStatus s) {
    return s.getConnection() == NodeConnection.NODE_CONNECTION_CONNECTED;
  }
}
