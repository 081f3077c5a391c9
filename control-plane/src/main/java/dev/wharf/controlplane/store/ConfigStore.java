package dev.wharf.controlplane.store;

import dev.wharf.proto.config.v1.Config;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the control plane keeps the config: etcd in a cluster ({@link EtcdConfigStore}), a data
 * directory on a single machine ({@link FileConfigStore}). Both keep one record per config object
 * and give the same guarantees:
 *
 * <ul>
 *   <li>every change is one atomic transaction, however many objects it touches;
 *   <li>a change names the version its writer read, and is refused with {@link
 *       StaleVersionException} if the config moved on since;
 *   <li>versions only go up, and watchers see every committed version in order (or, after they fell
 *       behind a compaction, the latest one).
 * </ul>
 *
 * <p>The store does not validate: callers validate with the shared validator before they commit,
 * and the discovery service validates again before it pushes.
 */
public interface ConfigStore extends AutoCloseable {
  /** How many past versions a store keeps for history and rollback. */
  int HISTORY_KEPT = 100;

  /** The current config, read from the store now. */
  VersionedConfig read() throws StoreException;

  /**
   * Makes {@code config} the whole stored config if the stored version is still {@code
   * expectedVersion}: objects that changed are written, objects that are gone are deleted, all in
   * one transaction. A config equal to the stored one writes nothing.
   *
   * @param principal who asks for the change, recorded with it
   * @param summary a one-line description of the change, recorded with it
   * @return the new version, or the current one when nothing changed
   * @throws StaleVersionException when the stored version is not {@code expectedVersion}
   */
  long commit(long expectedVersion, Config config, String principal, String summary)
      throws StoreException;

  /**
   * Calls {@code listener} with the current config as soon as it is known, then with every later
   * version in order, always from one store thread, never concurrently. While the store is
   * unreachable the listener hears nothing (callers keep serving the last version they got) and the
   * store retries with backoff.
   */
  Subscription watch(Consumer<VersionedConfig> listener);

  /**
   * The most recent versions, newest first, at most {@code limit}. Stores keep the last {@link
   * #HISTORY_KEPT} versions; older ones are gone.
   */
  List<HistoryRecord> history(int limit) throws StoreException;

  /** The config as it was at {@code version}, if that version is still in the history. */
  Optional<VersionedConfig> version(long version) throws StoreException;

  /** Where replicas record the nodes connected to them. */
  NodeStatusStore nodes();

  /** What replicas remember of nodes beyond their streams (see {@link NodeRecords}). */
  default NodeRecords nodeRecords() {
    return NodeRecords.NONE;
  }

  /**
   * Which replicas are alive, for rebalancing the nodes over them (docs/operations.md); empty for a
   * store only one replica uses (nothing to rebalance).
   */
  default Optional<ReplicaDirectory> replicas() {
    return Optional.empty();
  }

  /**
   * Whether the store answers now, as the replica's {@code wharf_cp_store_up} gauge reports it.
   * etcd: whether a {@link #watch} is established, which it stops being when etcd, or its quorum,
   * cannot be reached, and is again once the watch has listed and watches anew. An embedded store
   * always answers. Cheap, any thread.
   */
  default boolean reachable() {
    return true;
  }

  /** What kind of store this is, as GetServerInfo names it: {@code etcd}, {@code file}. */
  default String kind() {
    return getClass().getSimpleName();
  }

  @Override
  void close();

  /** Stops a watch. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
