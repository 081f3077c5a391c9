package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.admin.v1.DrainNodeResponse;
import dev.wharf.proto.admin.v1.EndpointHealth;
import dev.wharf.proto.admin.v1.GetEndpointHealthResponse;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.NodeRefusal;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;

/**
 * The fleet RPCs, answered from the node statuses every replica writes to the store: any replica
 * answers for the whole fleet. Each call reads the store (blocking, within the store's own
 * deadlines); nothing is cached.
 */
final class Fleet {
  private final ConfigStore store;

  Fleet(ConfigStore store) {
    this.store = store;
  }

  /**
   * Every node, with how many committed versions are newer than the one it runs. Counted from the
   * history, which keeps {@link ConfigStore#HISTORY_KEPT} versions: a node further behind shows
   * that many.
   */
  ListNodesResponse listNodes() throws StoreException {
    List<NodeStatus> nodes = FleetView.read(store);
    List<HistoryRecord> history = store.history(ConfigStore.HISTORY_KEPT);
    long latest = history.isEmpty() ? store.read().version() : history.get(0).version();
    ListNodesResponse.Builder out = ListNodesResponse.newBuilder().setLatestVersion(latest);
    for (NodeStatus node : nodes) {
      int behind = (int) history.stream().filter(h -> h.version() > node.getAckedVersion()).count();
      out.addNodes(NodeView.newBuilder().setStatus(node).setVersionsBehind(behind));
    }
    return out.build();
  }

  /**
   * How far {@code version} (0: the latest) got, over every node that should exist ({@link
   * FleetView}): applied by nodes that run (or, when last seen, ran) it or a newer one, refused by
   * those whose last refusal is of this version, pending on the rest, disconnected and unknown
   * nodes included.
   */
  RolloutStatus rollout(long version) throws StoreException {
    long latest = store.read().version();
    long wanted = version == 0 ? latest : version;
    if (wanted > latest) {
      throw AdminErrors.notFound(
          "version " + wanted + " has not been committed (the latest is " + latest + ")");
    }
    List<NodeStatus> nodes = FleetView.read(store);
    RolloutStatus.Builder out =
        RolloutStatus.newBuilder().setVersion(wanted).setNodes(nodes.size());
    int applied = 0;
    for (NodeStatus node : nodes) {
      if (node.getAckedVersion() >= wanted) {
        applied++;
      } else if (node.getLastNackVersion() == wanted) {
        out.addRefused(
            NodeRefusal.newBuilder()
                .setNodeId(node.getNodeId())
                .setReason(node.getLastNackReason()));
      } else {
        out.addPending(node.getNodeId());
      }
    }
    return out.setApplied(applied).build();
  }

  /**
   * The upstream's endpoints in the current config, each with how many nodes last reported it
   * healthy or unhealthy; nodes that reported nothing about it (no health check or outlier
   * detection, or no report yet) count as unknown.
   */
  GetEndpointHealthResponse endpointHealth(String upstream) throws StoreException {
    if (upstream.isEmpty()) {
      throw AdminErrors.invalidField("upstream", "required");
    }
    Upstream found =
        store.read().config().getUpstreamsList().stream()
            .filter(u -> u.getName().equals(upstream))
            .findFirst()
            .orElseThrow(() -> AdminErrors.notFound("no upstream is named '" + upstream + "'"));
    List<NodeStatus> nodes = store.nodes().list();
    GetEndpointHealthResponse.Builder out = GetEndpointHealthResponse.newBuilder();
    for (Endpoint e : found.getEndpointsList()) {
      int healthy = 0;
      int unhealthy = 0;
      for (NodeStatus n : nodes) {
        for (EndpointHealthState seen : n.getEndpointsList()) {
          if (seen.getUpstream().equals(upstream) && seen.getAddress().equals(e.getAddress())) {
            if (seen.getHealthy()) {
              healthy++;
            } else {
              unhealthy++;
            }
            break;
          }
        }
      }
      out.addEndpoints(
          EndpointHealth.newBuilder()
              .setAddress(e.getAddress())
              .setHealthyNodes(healthy)
              .setUnhealthyNodes(unhealthy)
              .setUnknownNodes(nodes.size() - healthy - unhealthy));
    }
    return out.build();
  }

  /** Records the drain request; the replica the node is connected to passes it on. */
  DrainNodeResponse drain(String nodeId, String principal) throws StoreException {
    if (nodeId.isEmpty()) {
      throw AdminErrors.invalidField("node_id", "required");
    }
    NodeStatus node =
        store.nodes().list().stream()
            .filter(n -> n.getNodeId().equals(nodeId))
            .findFirst()
            .orElseThrow(() -> AdminErrors.notFound("no replica knows a node '" + nodeId + "'"));
    store.nodes().requestDrain(nodeId, principal);
    return DrainNodeResponse.newBuilder().setReplica(node.getReplica()).build();
  }
}
