package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class NodeStatusWriterTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  /** A store that refuses the first {@code failures} calls, then records. */
  private static final class FlakyStore implements NodeStatusStore {
    final AtomicInteger failures;
    final Map<String, NodeStatus> entries = new TreeMap<>();
    final List<String> calls = new ArrayList<>();

    FlakyStore(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public synchronized void put(NodeStatus status) throws StoreException {
      fail();
      calls.add("put " + status.getNodeId() + "@" + status.getAckedVersion());
      entries.put(status.getNodeId(), status);
    }

    @Override
    public synchronized void remove(String nodeId) throws StoreException {
      fail();
      calls.add("remove " + nodeId);
      entries.remove(nodeId);
    }

    @Override
    public synchronized List<NodeStatus> list() {
      return List.copyOf(entries.values());
    }

    @Override
    public void requestDrain(String nodeId, String principal) {
      throw new UnsupportedOperationException("not used by the writer");
    }

    @Override
    public ConfigStore.Subscription watchDrains(Consumer<String> listener) {
      throw new UnsupportedOperationException("not used by the writer");
    }

    private void fail() throws StoreException {
      if (failures.getAndDecrement() > 0) {
        throw new StoreException("etcd unreachable");
      }
    }

    synchronized long acked(String node) {
      NodeStatus s = entries.get(node);
      return s == null ? -1 : s.getAckedVersion();
    }
  }

  @Test
  void afterAnOutageTheLatestStatusOfEachNodeIsWrittenAndNothingStaleAfterIt() {
    FlakyStore store = new FlakyStore(3);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      for (int v = 1; v <= 50; v++) {
        writer.statusChanged(status("a", v));
        writer.statusChanged(status("b", v));
      }
      writer.disconnected("c");

      Await.until(
          BOUND,
          () -> store.acked("a") == 50 && store.acked("b") == 50,
          () -> store.calls.toString());
      writer.statusChanged(status("a", 51));
      Await.until(BOUND, () -> store.acked("a") == 51, () -> store.calls.toString());
    }
    synchronized (store) {
      long puts = store.calls.stream().filter(c -> c.startsWith("put")).count();
      assertTrue(puts < 100, "statuses were not coalesced: " + store.calls);
      assertEquals("put a@51", store.calls.get(store.calls.size() - 1));
      assertTrue(store.calls.contains("remove c"), store.calls.toString());
    }
  }

  private static NodeStatus status(String node, long version) {
    return NodeStatus.newBuilder().setNodeId(node).setAckedVersion(version).build();
  }
}
