package dev.wharf.controlplane.store;

import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Node statuses of a store that serves one replica: in memory, gone with the process, which is
 * what an etcd lease gives a replica too. With one replica, every entry is this replica's own,
 * so {@link #remove} needs no check. Thread-safe.
 */
final class MemoryNodeStatusStore implements NodeStatusStore {
  private final ConcurrentSkipListMap<String, NodeStatus> statuses = new ConcurrentSkipListMap<>();

  @Override
  public void put(NodeStatus status) {
    Objects.requireNonNull(status, "status");
    if (status.getNodeId().isEmpty()) {
      throw new IllegalArgumentException("status.node_id: empty");
    }
    statuses.put(status.getNodeId(), status);
  }

  @Override
  public void remove(String nodeId) {
    statuses.remove(nodeId);
  }

  @Override
  public List<NodeStatus> list() {
    return List.copyOf(statuses.values());
  }

  @Override
  public void requestDrain(String nodeId, String principal) throws StoreException {
    throw new StoreException("drain requests are not implemented yet");
  }

  @Override
  public ConfigStore.Subscription watchDrains(java.util.function.Consumer<String> listener) {
    return () -> { };
  }
}
