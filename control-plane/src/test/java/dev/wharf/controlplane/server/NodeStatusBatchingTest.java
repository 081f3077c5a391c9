package dev.wharf.controlplane.server;

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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The status writer hands the store every changed status at once, the latest of each node. */
class NodeStatusBatchingTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  /**
   * Records each store call; the first one, and any with a node in {@link #held}, waits for {@link
   * #gate} (the write is in flight).
   */
  private static final class GatedStore implements NodeStatusStore {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final Set<String> held = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean first = new AtomicBoolean(true);
    final Map<String, NodeStatus> entries = new TreeMap<>();
    final List<Integer> batches = new ArrayList<>();
    int failuresLeft;

    GatedStore(int failures) {
      this.failuresLeft = failures;
    }

    @Override
    public void put(NodeStatus status) throws StoreException {
      putAll(List.of(status));
    }

    @Override
    public void putAll(List<NodeStatus> statuses) throws StoreException {
      boolean wait =
          first.getAndSet(false) || statuses.stream().anyMatch(s -> held.contains(s.getNodeId()));
      entered.countDown();
      try {
        if (wait && !gate.await(20, TimeUnit.SECONDS)) {
          throw new AssertionError("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted", e);
      }
      synchronized (this) {
        if (failuresLeft-- > 0) {
          throw new StoreException("etcd unreachable");
        }
        batches.add(statuses.size());
        statuses.forEach(s -> entries.put(s.getNodeId(), s));
      }
    }

    @Override
    public synchronized void remove(String nodeId) {
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

    synchronized boolean has(String node, long version) {
      NodeStatus s = entries.get(node);
      return s != null && s.getAckedVersion() == version;
    }

    synchronized boolean allAt(int nodes, long version) {
      return entries.size() == nodes
          && entries.values().stream().allMatch(s -> s.getAckedVersion() == version);
    }
  }

  @Test
  void aStatusChangedWhileAnotherNodesWriteIsInFlightIsWrittenWithoutWaitingForIt()
      throws Exception {
    GatedStore store = new GatedStore(0);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      writer.statusChanged(status("node-0000", 1));
      assertTrue(store.entered.await(20, TimeUnit.SECONDS), "the writer never wrote");
      store.held.add("node-0000"); // its write stays in flight until the gate opens
      writer.statusChanged(status("node-0001", 1));

      // The last ACK of a burst costs one store write, not the one in flight before it as well.
      Await.until(BOUND, () -> store.has("node-0001", 1), () -> "written: " + store.list());
      assertTrue(store.list().stream().noneMatch(s -> s.getNodeId().equals("node-0000")));
      store.gate.countDown();
      Await.until(BOUND, () -> store.allAt(2, 1), () -> store.list().toString());
    }
  }

  @Test
  void aFailedBatchIsWrittenAgainWhole() throws Exception {
    GatedStore store = new GatedStore(1);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      for (int n = 0; n < 500; n++) {
        writer.statusChanged(status(String.format("node-%04d", n), 4));
      }
      store.gate.countDown();

      Await.until(BOUND, () -> store.allAt(500, 4), () -> store.list().toString());
    }
  }

  private static NodeStatus status(String node, long version) {
    return NodeStatus.newBuilder().setNodeId(node).setAckedVersion(version).build();
  }
}
