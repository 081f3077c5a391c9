package dev.wharf.cli.output;

import dev.wharf.proto.admin.v1.EndpointHealth;
import dev.wharf.proto.admin.v1.HistoryEntry;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code nodes}, {@code history} and {@code health} print with {@code -o yaml|json}: every
 * field their tables summarise, under the Admin API's snake_case names, times as UTC strings
 * ({@code 2025-03-01T09:30:00Z}), versions as numbers. Unset times and empty reasons are left out,
 * as config documents leave out unset fields.
 */
public final class FleetTrees {
  private FleetTrees() {}

  public static Map<String, Object> nodes(ListNodesResponse response) {
    List<Object> nodes = new ArrayList<>();
    for (NodeView n : response.getNodesList()) {
      NodeStatus s = n.getStatus();
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("node_id", s.getNodeId());
      if (!s.getLabelsMap().isEmpty()) {
        node.put("labels", new LinkedHashMap<>(s.getLabelsMap()));
      }
      node.put("replica", s.getReplica());
      putIfSet(node, "peer", s.getPeer());
      putIfSet(node, "connected_since", Timestamps.of(s.getConnectedSince()));
      node.put("acked_version", s.getAckedVersion());
      node.put("versions_behind", Integer.toUnsignedLong(n.getVersionsBehind()));
      if (s.getLastNackVersion() != 0) {
        node.put("last_nack_version", s.getLastNackVersion());
        node.put("last_nack_reason", s.getLastNackReason());
      }
      putIfSet(node, "updated_at", Timestamps.of(s.getUpdatedAt()));
      node.put("state", s.getDraining() ? "draining" : "running");
      if (s.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED
          || s.getConnection() == NodeConnection.NODE_CONNECTION_UNKNOWN) {
        node.put("connection", connection(s)); // left out while connected, as unset fields are
      }
      putIfSet(node, "disconnected_since", Timestamps.of(s.getDisconnectedSince()));
      if (s.getRefusedVersionsCount() > 0) {
        node.put("refused_versions", List.copyOf(s.getRefusedVersionsList()));
      }
      if (s.hasDrainProgress()) {
        DrainProgress p = s.getDrainProgress();
        Map<String, Object> drain = new LinkedHashMap<>();
        drain.put("connections_open", Integer.toUnsignedLong(p.getConnectionsOpen()));
        drain.put("connections_closed", Integer.toUnsignedLong(p.getConnectionsClosed()));
        drain.put("websockets_open", Integer.toUnsignedLong(p.getWebsocketsOpen()));
        putIfSet(drain, "deadline", Timestamps.of(p.getDeadline()));
        node.put("drain_progress", drain);
      }
      nodes.add(node);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("latest_version", response.getLatestVersion());
    out.put("nodes", nodes);
    return out;
  }

  /** {@code connected}, {@code disconnected} or {@code unknown}. */
  static String connection(NodeStatus s) {
    return switch (s.getConnection()) {
      case NODE_CONNECTION_DISCONNECTED -> "disconnected";
      case NODE_CONNECTION_UNKNOWN -> "unknown";
      default -> "connected";
    };
  }

  public static Map<String, Object> history(List<HistoryEntry> entries) {
    List<Object> list = new ArrayList<>();
    for (HistoryEntry e : entries) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("version", e.getVersion());
      putIfSet(entry, "committed_at", Timestamps.of(e.getCommittedAt()));
      entry.put("principal", e.getPrincipal());
      entry.put("summary", e.getSummary());
      list.add(entry);
    }
    return Map.of("entries", list);
  }

  public static Map<String, Object> health(String upstream, List<EndpointHealth> endpoints) {
    List<Object> list = new ArrayList<>();
    for (EndpointHealth e : endpoints) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("address", e.getAddress());
      endpoint.put("healthy_nodes", Integer.toUnsignedLong(e.getHealthyNodes()));
      endpoint.put("unhealthy_nodes", Integer.toUnsignedLong(e.getUnhealthyNodes()));
      endpoint.put("unknown_nodes", Integer.toUnsignedLong(e.getUnknownNodes()));
      list.add(endpoint);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("upstream", upstream);
    out.put("endpoints", list);
    return out;
  }

  static void putIfSet(Map<String, Object> map, String key, String value) {
    if (!value.isEmpty()) {
      map.put(key, value);
    }
  }
}
