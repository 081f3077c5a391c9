package dev.wharf.controlplane.store;

import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the control plane remembers of nodes beyond their streams, so that a node whose status went
 * with its replica's lease (the replica hung or died) is not forgotten: one record per node, the
 * node's status as a replica last wrote it (with its {@code connection} and {@code
 * disconnected_since}), without a lease. Replicas write a node's record when its status changes,
 * refresh the records of their connected nodes now and then, write it disconnected when its stream
 * ends, and prune records older than the control plane's node memory window.
 *
 * <p>Also carries operators' retry requests (wharfctl rollout retry) to whichever replica holds a
 * node's stream.
 *
 * <p>Threading: the methods block for at most a call timeout per store call; watches deliver on a
 * thread of their own.
 */
public interface NodeRecords {

  /** Writes these records, each replacing the node's previous one. */
  void write(List<NodeStatus> records) throws StoreException;

  /** Every record, sorted by node id. */
  List<NodeStatus> list() throws StoreException;

  /** Deletes these nodes' records, whatever they say (the nodes drained: they left on purpose). */
  void forget(List<String> nodeIds) throws StoreException;

  /** Deletes each of these records if it is still exactly as listed. */
  void prune(List<NodeStatus> records) throws StoreException;

  /**
   * Asks the replica that holds each node's stream to push {@code version} to it once more. A
   * request stands for about a minute, so a node that reconnects meanwhile is still asked.
   */
  void requestRetry(List<String> nodeIds, long version) throws StoreException;

  /** Calls {@code listener} with each retry request (node id, version), on a thread of its own. */
  ConfigStore.Subscription watchRetries(BiConsumer<String, Long> listener);

  /** Records of a store that keeps none: writes vanish, lists are empty, retries reach nobody. */
  NodeRecords NONE =
      new NodeRecords() {
        @Override
        public void write(List<NodeStatus> records) {}

        @Override
        public List<NodeStatus> list() {
          return List.of();
        }

        @Override
        public void forget(List<String> nodeIds) {}

        @Override
        public void prune(List<NodeStatus> records) {}

        @Override
        public void requestRetry(List<String> nodeIds, long version) {}

        @Override
        public ConfigStore.Subscription watchRetries(BiConsumer<String, Long> listener) {
          return () -> {};
        }
      };
}
