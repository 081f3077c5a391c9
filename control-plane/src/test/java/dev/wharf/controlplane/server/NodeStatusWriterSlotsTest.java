package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The status writer's slots, on threads the test drives: each task the writer hands its executor is
 * a write in flight until the test runs it, and the retry timer fires when the test says so. No
 * sleeps, no real threads.
 */
class NodeStatusWriterSlotsTest {
  private static final Duration RETRY = Duration.ofSeconds(1);

  /** Records each store call as "put a@1 b@1" or "remove a"; refuses the first {@code failures}. */
  private static final class RecordingStore implements NodeStatusStore {
    final List<String> calls = new ArrayList<>();
    int failures;

    @Override
    public void put(NodeStatus status) throws StoreException {
      putAll(List.of(status));
    }

    @Override
    public void putAll(List<NodeStatus> statuses) throws StoreException {
      if (failures-- > 0) {
        throw new StoreException("etcd unreachable");
      }
      calls.add(
          "put "
              + statuses.stream()
                  .map(s -> s.getNodeId() + "@" + s.getAckedVersion())
                  .collect(Collectors.joining(" ")));
    }

    @Override
    public void remove(String nodeId) {
      calls.add("remove " + nodeId);
    }

    @Override
    public List<NodeStatus> list() {
      throw new UnsupportedOperationException("not used by the writer");
    }

    @Override
    public void requestDrain(String nodeId, String principal) {
      throw new UnsupportedOperationException("not used by the writer");
    }

    @Override
    public ConfigStore.Subscription watchDrains(Consumer<String> listener) {
      throw new UnsupportedOperationException("not used by the writer");
    }
  }

  private final RecordingStore store = new RecordingStore();
  private final Deque<Runnable> inFlight = new ArrayDeque<>();
  private final List<Duration> timerDelays = new ArrayList<>();
  private final Deque<Runnable> timer = new ArrayDeque<>();

  private NodeStatusWriter writer(int slots) {
    return new NodeStatusWriter(
        store,
        RETRY,
        slots,
        inFlight::add,
        (delay, task) -> {
          timerDelays.add(delay);
          timer.add(task);
        });
  }

  @Test
  void aStatusIsHandedToTheStoreAtOnceWhenASlotIsFreeWithNoTimerOnTheWay() {
    NodeStatusWriter writer = writer(4);
    writer.statusChanged(status("a", 1));
    assertEquals(1, inFlight.size(), "the first status starts a write at once");

    writer.statusChanged(status("b", 1));
    assertEquals(2, inFlight.size(), "a second node's status does not wait for the first write");

    inFlight.removeLast().run();
    assertEquals(List.of("put b@1"), store.calls, "b is in the store while a's write is in flight");
    inFlight.removeLast().run();
    assertEquals(List.of("put b@1", "put a@1"), store.calls);
    assertTrue(timer.isEmpty(), "nothing waited for a timer");
  }

  @Test
  void aNodeIsInOneWriteAtATimeSoItsStatusesAndItsRemovalReachTheStoreInOrder() {
    NodeStatusWriter writer = writer(4);
    writer.statusChanged(status("a", 1));
    writer.statusChanged(status("a", 2));
    writer.statusChanged(status("a", 3));
    writer.disconnected("a");
    assertEquals(1, inFlight.size(), "a's later changes wait for its write in flight");

    inFlight.removeFirst().run();
    assertEquals(1, inFlight.size(), "the write that returned started a's next one");
    inFlight.removeFirst().run();
    writer.statusChanged(status("a", 4)); // it came back
    inFlight.removeFirst().run();

    assertEquals(List.of("put a@1", "remove a", "put a@4"), store.calls);
    assertTrue(inFlight.isEmpty());
  }

  @Test
  void whenEverySlotIsBusyStatusesWaitAndAreWrittenInOneBatchWithTheLatestOfEachNode() {
    NodeStatusWriter writer = writer(2);
    writer.statusChanged(status("n0", 1));
    writer.statusChanged(status("n1", 1));
    for (long v = 1; v <= 3; v++) {
      for (int n = 2; n < 1000; n++) {
        writer.statusChanged(status("n" + n, v));
      }
    }
    assertEquals(2, inFlight.size(), "two slots, two writes: the rest wait");

    inFlight.removeFirst().run(); // n0's write returns: the next batch takes every waiting node
    inFlight.removeFirst().run();
    assertEquals(1, inFlight.size());
    inFlight.removeFirst().run();

    assertEquals(3, store.calls.size(), store.calls.toString());
    String batch = store.calls.get(2);
    assertEquals(998, batch.split(" ").length - 1, "one batch for 998 nodes");
    assertTrue(batch.startsWith("put n2@3 n3@3 "), batch);
    assertTrue(batch.endsWith(" n999@3"), "only the latest of each node");
  }

  @Test
  void afterAFailedWriteNothingStartsUntilTheRetryTimerAndTheNewestStatusWins() {
    store.failures = 1;
    NodeStatusWriter writer = writer(4);
    writer.statusChanged(status("a", 1));
    inFlight.removeFirst().run(); // refused

    assertEquals(List.of(RETRY), timerDelays, "the retry waits retryDelay");
    writer.statusChanged(status("a", 2));
    writer.statusChanged(status("b", 2));
    assertTrue(inFlight.isEmpty(), "no write while the store is failing and the retry waits");

    timer.removeFirst().run();
    assertEquals(1, inFlight.size(), "the retry writes everything pending at once");
    inFlight.removeFirst().run();
    assertEquals(List.of("put a@2 b@2"), store.calls, "a@1, refused, lost to the newer a@2");
  }

  private static NodeStatus status(String node, long version) {
    return NodeStatus.newBuilder().setNodeId(node).setAckedVersion(version).build();
  }
}
