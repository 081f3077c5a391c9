package dev.wharf.bench.fleet;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store whose node-status writes are observed on their way in: the replica records each ACK there
 * (through its status writer, after its push-to-ACK timer), so the moment a status with the new
 * version is written is the moment the control plane's fleet view, the one {@code wharfctl} lists,
 * shows that node on it. Everything else passes straight through.
 *
 * <p>Threading: {@code onStatus} runs on the replica's status-writer thread, once the write
 * returned: a status counts as in the fleet view when the store has it, not when its write starts.
 */
final class ObservedStore implements ConfigStore {
  private final ConfigStore store;
  private final NodeStatusStore nodes;

  ObservedStore(ConfigStore store, Consumer<NodeStatus> onStatus) {
    this.store = store;
    NodeStatusStore inner = store.nodes();
    this.nodes =
        new NodeStatusStore() {
          @Override
          public void put(NodeStatus status) throws StoreException {
            inner.put(status);
            onStatus.accept(status);
          }

          @Override
          public void putAll(List<NodeStatus> statuses) throws StoreException {
            inner.putAll(statuses);
            statuses.forEach(onStatus);
          }

          @Override
          public void remove(String nodeId) throws StoreException {
            inner.remove(nodeId);
          }

          @Override
          public List<NodeStatus> list() throws StoreException {
            return inner.list();
          }

          @Override
          public void requestDrain(String nodeId, String principal) throws StoreException {
            inner.requestDrain(nodeId, principal);
          }

          @Override
          public Subscription watchDrains(Consumer<String> listener) {
            return inner.watchDrains(listener);
          }
        };
  }

  @Override
  public VersionedConfig read() throws StoreException {
    return store.read();
  }

  @Override
  public long commit(long expectedVersion, Config config, String principal, String summary)
      throws StoreException {
    return store.commit(expectedVersion, config, principal, summary);
  }

  @Override
  public Subscription watch(Consumer<VersionedConfig> listener) {
    return store.watch(listener);
  }

  @Override
  public List<HistoryRecord> history(int limit) throws StoreException {
    return store.history(limit);
  }

  @Override
  public Optional<VersionedConfig> version(long version) throws StoreException {
    return store.version(version);
  }

  @Override
  public NodeStatusStore nodes() {
    return nodes;
  }

  @Override
  public void close() {
    store.close();
  }
}
