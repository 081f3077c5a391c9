package dev.wharf.controlplane.store;

import static dev.wharf.controlplane.store.StoreAssertions.assertVersion;
import static dev.wharf.controlplane.store.TestConfigs.small;
import static dev.wharf.controlplane.store.TestConfigs.status;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.store.v1.HistoryEntry;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.RefusingPorts;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the etcd store does: versions apart from node writes, compaction, leases, outages. */
@Timeout(60)
class EtcdConfigStoreTest {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private final String prefix = "/etcd-store-" + UUID.randomUUID();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Client raw;

  @BeforeEach
  void connectRawClient() {
    raw = Client.builder().endpoints(etcd.clientEndpoints()).build();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    raw.close();
  }

  private EtcdStoreSettings settings(String replicaId) {
    return EtcdStoreSettings.defaults(etcd.clientEndpoints(), replicaId)
        .withPrefix(prefix)
        .withRetry(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  private EtcdConfigStore open(EtcdStoreSettings settings) {
    EtcdConfigStore store = EtcdConfigStore.connect(settings);
    toClose.add(store);
    return store;
  }

  private Optional<KeyValue> rawNode(String nodeId) throws Exception {
    GetResponse response =
        raw.getKVClient()
            .get(ByteSequence.from(prefix + "/v1/nodes/" + nodeId, UTF_8))
            .get(10, SECONDS);
    return response.getKvs().stream().findFirst();
  }

  private static List<String> replicas(NodeStatusStore nodes) throws StoreException {
    return nodes.list().stream().map(s -> s.getNodeId() + "@" + s.getReplica()).toList();
  }

  @Test
  void nodeStatusWritesMakeNoConfigVersion() throws Exception {
    EtcdConfigStore store = open(settings("r1"));
    long version = store.commit(0, small("one"), "alice", "first");
    Deliveries deliveries = new Deliveries();
    toClose.add(store.watch(deliveries));
    deliveries.next(version);

    for (int i = 0; i < 5; i++) {
      store.nodes().put(status("node-" + i, "r1").toBuilder().setAckedVersion(version).build());
    }
    store.nodes().remove("node-0");

    assertEquals(version, store.read().version());
    long next = store.commit(version, small("two"), "alice", "the version read before them");
    deliveries.next(next); // nothing was delivered for the node writes
  }

  @Test
  void aWatchThatFellBehindCompactionListsAgainAndDeliversTheLatestVersion() throws Exception {
    EtcdConfigStore store = open(settings("r1"));
    long first = store.commit(0, small("v0"), "alice", "first");
    long version = first;
    for (int i = 1; i <= 3; i++) {
      version = store.commit(version, small("v" + i), "alice", "change " + i);
    }
    long latestRevision =
        raw.getKVClient()
            .get(ByteSequence.from("/", UTF_8))
            .get(10, SECONDS)
            .getHeader()
            .getRevision();
    raw.getKVClient().compact(latestRevision).get(10, SECONDS);

    Deliveries deliveries = new Deliveries();
    toClose.add(store.watchFrom(first, deliveries));

    VersionedConfig delivered = deliveries.next();
    assertVersion(version, small("v3"), delivered);
    assertEquals(store.read(), delivered);
    long after = store.commit(version, small("v4"), "alice", "after the re-list");
    deliveries.next(after); // and it watches on from there
  }

  private List<KeyValue> rawHistory() throws Exception {
    return raw.getKVClient()
        .get(
            ByteSequence.from(prefix + "/v1/history/", UTF_8),
            GetOption.builder().isPrefix(true).withKeysOnly(true).build())
        .get(10, SECONDS)
        .getKvs();
  }

  private static String key(KeyValue kv) {
    return kv.getKey().toString(UTF_8);
  }

  @Test
  void aHistoryEntryIsNamedAfterTheVersionItReplacedAndItsModRevisionIsTheNewVersion()
      throws Exception {
    EtcdConfigStore store = open(settings("r1"));
    long first = store.commit(0, small("one"), "alice", "first");
    long second = store.commit(first, small("two"), "alice", "second");

    List<KeyValue> entries = rawHistory();

    assertEquals(
        List.of(
            prefix + "/v1/history/00000000000000000000",
            prefix + "/v1/history/" + String.format("%020d", first)),
        entries.stream().map(EtcdConfigStoreTest::key).toList());
    assertEquals(List.of(first, second), entries.stream().map(KeyValue::getModRevision).toList());
  }

  @Test
  void aCommitDeletesAtMostFourOldEntriesSoItsTransactionStaysSmall() throws Exception {
    EtcdConfigStore store = open(settings("r1"));
    long version = 0;
    for (int i = 0; i < ConfigStore.HISTORY_KEPT - 3; i++) {
      version = store.commit(version, small("v" + i), "alice", "change " + i);
    }
    // Ten more entries than a commit ever leaves (as if HISTORY_KEPT had been lowered), named
    // to sort before every real one: '-' comes before '0'.
    for (int i = 0; i < 10; i++) {
      raw.getKVClient()
          .put(
              ByteSequence.from(prefix + "/v1/history/0-extra-" + i, UTF_8),
              ByteSequence.from(HistoryEntry.getDefaultInstance().toByteString()))
          .get(10, SECONDS);
    }
    assertEquals(ConfigStore.HISTORY_KEPT + 7, rawHistory().size());

    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      version = store.commit(version, small("after " + i), "alice", "after the extras");
      sizes.add(rawHistory().size());
    }

    int kept = ConfigStore.HISTORY_KEPT;
    assertEquals(List.of(kept + 4, kept + 1, kept, kept), sizes);
    assertTrue(
        rawHistory().stream().noneMatch(kv -> key(kv).contains("-extra-")),
        "the oldest entries went first");
  }

  @Test
  void aDrainRequestOutlivesTheReplicaThatTookItAndStandsWhileItsNodeLivesElsewhere()
      throws Exception {
    EtcdConfigStore a = EtcdConfigStore.connect(settings("a"));
    EtcdConfigStore b = open(settings("b"));
    a.nodes().put(status("node-1", "a"));
    a.nodes().requestDrain("node-1", "alice");
    b.nodes().put(status("node-1", "b")); // the node moved to b
    a.nodes().remove("node-1"); // a notices it left: b's entry, and the request, stay

    a.close(); // revokes a's lease

    DrainDeliveries onB = new DrainDeliveries();
    toClose.add(b.nodes().watchDrains(onB));
    onB.next("node-1");
    b.nodes().remove("node-1"); // gone for good: the request goes with it
    b.nodes().requestDrain("node-2", "alice");
    DrainDeliveries later = new DrainDeliveries();
    toClose.add(b.nodes().watchDrains(later));
    later.next("node-2");
  }

  @Test
  void statusesOfAStoreClosedWithoutRemovingThemDisappearAtOnce() throws Exception {
    // A lease far longer than the wait below: only the revoke on close can explain it.
    EtcdConfigStore leaving =
        EtcdConfigStore.connect(settings("leaving").withLeaseTtl(Duration.ofSeconds(120)));
    EtcdConfigStore staying = open(settings("staying"));
    leaving.nodes().put(status("node-1", "leaving"));
    staying.nodes().put(status("node-2", "staying"));
    assertEquals(List.of("node-1@leaving", "node-2@staying"), replicas(staying.nodes()));

    leaving.close();

    assertEquals(List.of("node-2@staying"), replicas(staying.nodes()));
  }

  @Test
  void aRemoveByTheReplicaANodeLeftKeepsTheEntryOfTheReplicaItMovedTo() throws Exception {
    EtcdConfigStore a = open(settings("a"));
    EtcdConfigStore b = open(settings("b"));
    a.nodes().put(status("node-1", "a"));
    b.nodes().put(status("node-1", "b")); // the node reconnected to b before a noticed it left

    a.nodes().remove("node-1");

    assertEquals(List.of("node-1@b"), replicas(a.nodes()));
    b.nodes().remove("node-1");
    assertEquals(List.of(), replicas(a.nodes()));
  }

  @Test
  void aRemoveByAReplicaThatNeverWroteTheNodeDeletesNothing() throws Exception {
    EtcdConfigStore a = open(settings("a"));
    EtcdConfigStore b = open(settings("b"));
    b.nodes().put(status("node-1", "b"));

    a.nodes().remove("node-1");

    assertEquals(List.of("node-1@b"), replicas(b.nodes()));
  }

  @Test
  void aLostLeaseIsReplacedAndOnlyTheStatusesStillOursAreWrittenAgain() throws Exception {
    EtcdConfigStore a = open(settings("a"));
    EtcdConfigStore b = open(settings("b"));
    a.nodes().put(status("node-1", "a"));
    a.nodes().put(status("node-2", "a"));
    b.nodes().put(status("node-2", "b")); // node-2 moved to b
    long lost = rawNode("node-1").orElseThrow().getLease();

    raw.getLeaseClient().revoke(lost).get(10, SECONDS); // as if it expired in an outage

    Await.until(
        Duration.ofSeconds(20),
        () -> {
          try {
            return rawNode("node-1").map(kv -> kv.getLease() != lost).orElse(false);
          } catch (Exception e) {
            return false;
          }
        },
        () -> "node-1 was not written again under a new lease");
    a.nodes().put(status("node-3", "a")); // waits for the rewrite to finish: one lock
    assertEquals(List.of("node-1@a", "node-2@b", "node-3@a"), replicas(b.nodes()));
  }

  @Test
  void callsFailWithAStoreExceptionWithinTheCallTimeoutWhenEtcdIsUnreachable() throws Exception {
    URI nobody = URI.create("http://127.0.0.1:" + refusing.port());
    Duration callTimeout = Duration.ofMillis(500);
    EtcdConfigStore store =
        open(
            EtcdStoreSettings.defaults(List.of(nobody), "r1")
                .withPrefix(prefix)
                .withCallTimeout(callTimeout));

    long started = System.nanoTime();
    StoreException failed = assertThrows(StoreException.class, store::read);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    // A call without a deadline would wait for etcd forever; the margin is for a loaded machine
    // (the first call also loads the gRPC client's classes), not for the timeout's precision.
    assertTrue(took.compareTo(callTimeout.plusSeconds(15)) < 0, "read took " + took);
    assertTrue(failed.getMessage().contains(nobody.toString()), failed.getMessage());
    assertTrue(
        failed.getMessage().startsWith("reading " + prefix + "/v1/config/"), failed.getMessage());
    assertThrows(StoreException.class, () -> store.commit(0, small("x"), "alice", "into the void"));
    assertThrows(StoreException.class, () -> store.nodes().put(status("node-1", "r1")));
  }

  @Test
  void everyReplicaListsTheWholeFleetSortedByNodeId() throws Exception {
    EtcdConfigStore a = open(settings("a"));
    EtcdConfigStore b = open(settings("b"));
    b.nodes().put(status("node-3", "b"));
    a.nodes().put(NodeStatus.newBuilder().setNodeId("node-1").build()); // recorded as a's
    b.nodes().put(status("node-2", "b"));

    List<NodeStatus> fromA = a.nodes().list();

    assertEquals(List.of("node-1@a", "node-2@b", "node-3@b"), replicas(a.nodes()));
    assertEquals(fromA, b.nodes().list());
  }
}
