package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.output.Timestamps;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The pending nodes of a rollout, named with what is known of those without a stream: {@code n2
 * (unknown, last seen 2025-03-01T09:40:12Z, runs 41)}, {@code n3 (disconnected since ..., runs
 * 41)}. One ListNodes call; if it fails, the bare names.
 */
final class PendingNodes {
  private PendingNodes() {}

  static String describe(AdminClient client, List<String> pending) {
    Map<String, NodeStatus> nodes;
    try {
      nodes =
          client
              .call(s -> s.listNodes(ListNodesRequest.getDefaultInstance()))
              .getNodesList()
              .stream()
              .map(NodeView::getStatus)
              .collect(Collectors.toMap(NodeStatus::getNodeId, Function.identity(), (a, b) -> a));
    } catch (RuntimeException e) {
      return String.join(", ", pending);
    }
    List<String> out = new ArrayList<>();
    for (String id : pending) {
      NodeStatus s = nodes.get(id);
      if (s == null || s.getConnection() == NodeConnection.NODE_CONNECTION_CONNECTED) {
        out.add(id);
        continue;
      }
      String since = Timestamps.of(s.getDisconnectedSince());
      out.add(
          id
              + (s.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED
                  ? " (disconnected since " + since
                  : " (unknown, last seen " + since)
              + ", runs "
              + Long.toUnsignedString(s.getAckedVersion())
              + ")");
    }
    return String.join(", ", out);
  }
}
