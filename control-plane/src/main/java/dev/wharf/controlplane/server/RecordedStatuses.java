package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.function.Consumer;

/**
 * The node status store as {@link NodeStatusWriter} writes to it, telling the node records ({@link
 * NodeRecordsWriter}) of each status once it is written: so a node's record is never newer than its
 * live status, and the fleet view never shows a node from its record (as unknown) while its live
 * status is still on its way. Threading: the status writer's thread.
 */
final class RecordedStatuses implements NodeStatusStore {
  private final NodeStatusStore store;
  private final DiscoveryCallbacks written;

  RecordedStatuses(NodeStatusStore store, DiscoveryCallbacks written) {
    this.store = store;
    this.written = written;
  }

  @Override
  public void put(NodeStatus status) throws StoreException {
    store.put(status);
    written.statusChanged(status);
  }

  /** One batch to the store, as {@link NodeStatusWriter} hands it, then each status recorded. */
  @Override
  public void putAll(List<NodeStatus> statuses) throws StoreException {
    store.putAll(statuses);
    statuses.forEach(written::statusChanged);
  }

  @Override
  public void remove(String nodeId) throws StoreException {
    store.remove(nodeId);
    written.disconnected(nodeId);
  }

  @Override
  public List<NodeStatus> list() throws StoreException {
    return store.list();
  }

  @Override
  public void requestDrain(String nodeId, String principal) throws StoreException {
    store.requestDrain(nodeId, principal);
  }

  @Override
  public ConfigStore.Subscription watchDrains(Consumer<String> listener) {
    return store.watchDrains(listener);
  }
}
