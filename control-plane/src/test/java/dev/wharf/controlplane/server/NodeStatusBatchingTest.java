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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The status writer hands the store every changed status at once, the latest of each node. */
class NodeStatusBatchingTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  /**
   * Records each store call; the first one waits for {@link #gate} (the writer is busy), the others
   * go through, at once, even while the first one waits.
   */
  private static final class GatedStore implements NodeStatusStore {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final Map<String, NodeStatus> entries = new TreeMap<>();
    final List<Integer> batches = new ArrayList<>();
    final List<String> writes = new ArrayList<>();
    final AtomicBoolean first = new AtomicBoolean(true);
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
      if (first.getAndSet(false)) {
        entered.countDown();
        try {
          if (!gate.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the test never opened the gate");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted", e);
        }
      }
      synchronized (this) {
        if (failuresLeft-- > 0) {
          throw new StoreException("etcd unreachable");
        }
        batches.add(statuses.size());
        writes.add(
            statuses.stream()
                .map(s -> s.getNodeId() + "@" + s.getAckedVersion())
                .collect(Collectors.joining(" ")));
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

    synchronized boolean allAt(int nodes, long version) {
      return entries.size() == nodes
          && entries.values().stream().allMatch(s -> s.getAckedVersion() == version);
    }
  }

  @Test
  void statusesChangedWhileTheStoreIsBusyAreWrittenInOneBatchWithTheLatestOfEachNode()
      throws Exception {
    GatedStore store = new GatedStore(0);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      writer.statusChanged(status("node-0000", 1));
      assertTrue(store.entered.await(20, TimeUnit.SECONDS), "the writer never wrote");
      for (long v = 1; v <= 3; v++) {
        for (int n = 0; n < 1000; n++) {
          writer.statusChanged(status(String.format("node-%04d", n), v));
        }
      }
      store.gate.countDown();

      Await.until(BOUND, () -> store.allAt(1000, 3), () -> store.list().toString());
    }
    synchronized (store) {
      assertEquals(List.of(1, 1000), store.batches, "one write for the first, one for the rest");
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

  @Test
  void theLastAcksOfARolloutAreWrittenWhileAnEarlierBatchIsStillInFlight() throws Exception {
    GatedStore store = new GatedStore(0);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      writer.statusChanged(status("node-0000", 1));
      assertTrue(store.entered.await(20, TimeUnit.SECONDS), "the writer never wrote");
      for (int n = 1; n < 1000; n++) {
        writer.statusChanged(status(String.format("node-%04d", n), 1));
      }
      writer.pushesAnswered(); // the replica's last pushed node answered

      // The first write still waits in the store: the last ACKs must not wait for it.
      Await.until(BOUND, () -> store.allAt(999, 1), () -> store.list().toString());
      store.gate.countDown();
      Await.until(BOUND, () -> store.allAt(1000, 1), () -> store.list().toString());
    }
    synchronized (store) {
      assertEquals(List.of(999, 1), store.batches, "999 ACKs in one write, beside the first");
    }
  }

  @Test
  void aNodeInTheBatchInFlightIsNotWrittenBesideItAndItsNewerStatusFollowsIt() throws Exception {
    GatedStore store = new GatedStore(0);
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      writer.statusChanged(status("node-0000", 1));
      assertTrue(store.entered.await(20, TimeUnit.SECONDS), "the writer never wrote");
      writer.statusChanged(status("node-0000", 2));
      writer.statusChanged(status("node-0001", 2));
      writer.pushesAnswered();

      Await.until(BOUND, () -> store.list().size() == 1, () -> store.list().toString());
      store.gate.countDown();
      Await.until(
          BOUND,
          () -> store.allAt(2, 2),
          () -> store.list().toString()); // node-0000 at 2: its older write did not land last
    }
    synchronized (store) {
      assertEquals(List.of("node-0001@2", "node-0000@1", "node-0000@2"), store.writes);
    }
  }

  @Test
  void whenNoBatchIsInFlightAllAnsweredAddsNoWrite() throws Exception {
    GatedStore store = new GatedStore(0);
    store.gate.countDown();
    try (NodeStatusWriter writer = new NodeStatusWriter(store, Duration.ofMillis(5))) {
      writer.statusChanged(status("node-0000", 1));
      Await.until(BOUND, () -> store.allAt(1, 1), () -> store.list().toString());
      writer.pushesAnswered();
      writer.statusChanged(status("node-0001", 1));
      Await.until(BOUND, () -> store.allAt(2, 1), () -> store.list().toString());
    }
    synchronized (store) {
      assertEquals(List.of(1, 1), store.batches);
    }
  }

  private static NodeStatus status(String node, long version) {
    return NodeStatus.newBuilder().setNodeId(node).setAckedVersion(version).build();
  }
}
