package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The node records ride on the status writes without undoing their batching: a batch of statuses
 * reaches the store as one batch (on etcd, a few transactions instead of a put per node).
 */
class RecordedStatusesTest {
  @Test
  void aBatchOfStatusesReachesTheStoreAsOneBatchAndEachIsRecorded() throws Exception {
    List<List<String>> batches = new ArrayList<>();
    List<String> recorded = new ArrayList<>();
    NodeStatusStore store =
        new NodeStatusStore() {
          @Override
          public void put(NodeStatus status) {
            batches.add(List.of(status.getNodeId()));
          }

          @Override
          public void putAll(List<NodeStatus> statuses) {
            batches.add(statuses.stream().map(NodeStatus::getNodeId).toList());
          }

          @Override
          public void remove(String nodeId) {}

          @Override
          public List<NodeStatus> list() {
            return List.of();
          }

          @Override
          public void requestDrain(String nodeId, String principal) {}

          @Override
          public ConfigStore.Subscription watchDrains(Consumer<String> listener) {
            return () -> {};
          }
        };
    DiscoveryCallbacks records =
        new DiscoveryCallbacks() {
          @Override
          public void statusChanged(NodeStatus status) {
            recorded.add(status.getNodeId());
          }
        };

    new RecordedStatuses(store, records).putAll(List.of(status("a"), status("b"), status("c")));

    assertEquals(List.of(List.of("a", "b", "c")), batches);
    assertEquals(List.of("a", "b", "c"), recorded);
  }

  private static NodeStatus status(String node) {
    return NodeStatus.newBuilder().setNodeId(node).setAckedVersion(7).build();
  }
}
