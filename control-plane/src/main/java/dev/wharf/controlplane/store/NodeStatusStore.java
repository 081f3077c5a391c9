package dev.wharf.controlplane.store;

import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.function.Consumer;

/**
 * The fleet as the control-plane replicas see it. Each replica writes the status of the nodes
 * connected to it; entries live only as long as their replica (in etcd: under the replica's lease),
 * so a replica that dies takes its entries with it and the nodes re-register on the replica they
 * fail over to. Every replica lists the whole fleet.
 */
public interface NodeStatusStore {

  /** Writes or replaces the status of a node connected to this replica. */
  void put(NodeStatus status) throws StoreException;

  /**
   * Writes or replaces several statuses, as {@link #put} does each, in as few store calls as the
   * store can (etcd: a few transactions for a thousand nodes). A node listed twice gets its last
   * status. On an exception some may have been written; writing them all again is harmless.
   */
  default void putAll(List<NodeStatus> statuses) throws StoreException {
    for (NodeStatus status : statuses) {
      put(status);
    }
  }

  /**
   * Removes a node's status, but only if this replica wrote it last: a node that already moved to
   * another replica keeps the entry that replica wrote.
   */
  void remove(String nodeId) throws StoreException;

  /** Every node of the fleet, sorted by node id. */
  List<NodeStatus> list() throws StoreException;

  /**
   * Asks node {@code nodeId} to drain. Whichever replica the node is connected to passes the
   * request on; it stands until the node is gone (its status removed).
   */
  void requestDrain(String nodeId, String principal) throws StoreException;

  /**
   * Calls {@code listener} with the id of every node asked to drain: those asked already, then each
   * new request, on one store thread.
   */
  ConfigStore.Subscription watchDrains(Consumer<String> listener);
}
