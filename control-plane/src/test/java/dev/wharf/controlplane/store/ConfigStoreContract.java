package dev.wharf.controlplane.store;

import static dev.wharf.controlplane.store.StoreAssertions.assertVersion;
import static dev.wharf.controlplane.store.TestConfigs.assertWhole;
import static dev.wharf.controlplane.store.TestConfigs.listener;
import static dev.wharf.controlplane.store.TestConfigs.proxy;
import static dev.wharf.controlplane.store.TestConfigs.respond;
import static dev.wharf.controlplane.store.TestConfigs.small;
import static dev.wharf.controlplane.store.TestConfigs.status;
import static dev.wharf.controlplane.store.TestConfigs.upstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link ConfigStore} promises, whatever keeps the config. Each subclass opens a store on
 * fresh, empty storage for every test.
 */
@Timeout(60)
abstract class ConfigStoreContract {
  private final List<AutoCloseable> toClose = new ArrayList<>();
  ConfigStore store;

  /** A store on empty storage of this test's own. */
  abstract ConfigStore open() throws Exception;

  /**
   * A second writer of the same storage: another replica for etcd; for a store that serves one
   * replica, that store itself.
   */
  abstract ConfigStore secondWriter() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = closeAfter(open());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  <T extends AutoCloseable> T closeAfter(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  Deliveries watch() {
    Deliveries deliveries = new Deliveries();
    closeAfter(store.watch(deliveries));
    return deliveries;
  }

  @Test
  void anEmptyStoreIsVersionZeroWithAnEmptyConfigForReadersAndWatchers() throws Exception {
    assertEquals(VersionedConfig.EMPTY, store.read());
    assertEquals(VersionedConfig.EMPTY, watch().next());
  }

  @Test
  void aCommittedConfigReadsBackWithListenersAndUpstreamsByNameAndRoutesInWrittenOrder()
      throws Exception {
    Config written =
        Config.newBuilder()
            .addListeners(listener("web", 8080))
            .addListeners(listener("admin", 9000))
            .addUpstreams(upstream("zeta", "10.0.0.3:80"))
            .addUpstreams(upstream("alpha", "10.0.0.1:80"))
            .addRoutes(respond("z-first", "/z", "z"))
            .addRoutes(proxy("a-second", "/a", "alpha"))
            .addRoutes(proxy("m-third", "/", "zeta"))
            .build();

    long version = store.commit(0, written, "alice", "first config");

    VersionedConfig read = store.read();
    assertTrue(version > 0, "version " + version);
    assertEquals(version, read.version());
    assertEquals(
        List.of("admin", "web"),
        read.config().getListenersList().stream().map(Listener::getName).toList());
    assertEquals(
        List.of("alpha", "zeta"),
        read.config().getUpstreamsList().stream().map(Upstream::getName).toList());
    assertEquals(written.getRoutesList(), read.config().getRoutesList());
    assertEquals(written.getListeners(0), read.config().getListeners(1));
  }

  @Test
  void writersThatReadTheSameVersionCannotBothCommitAndTheLoserLeavesNoTrace() throws Exception {
    ConfigStore other = secondWriter();
    long read = store.read().version();
    assertEquals(read, other.read().version());

    long first = store.commit(read, small("first"), "alice", "first writer");
    StaleVersionException refused =
        assertThrows(
            StaleVersionException.class,
            () -> other.commit(read, small("second"), "bob", "second writer"));

    assertEquals(read, refused.expectedVersion());
    assertEquals(first, refused.currentVersion());
    assertVersion(first, small("first"), store.read());

    // Once more from a non-empty store, where the guard is a version rather than an absence.
    long second = other.commit(first, small("third"), "bob", "read again, then wrote");
    refused =
        assertThrows(
            StaleVersionException.class,
            () -> store.commit(first, small("fourth"), "alice", "still on the old version"));
    assertEquals(second, refused.currentVersion());
    assertVersion(second, small("third"), store.read());
  }

  @Test
  void aCommitThatChangesNothingKeepsTheVersionAndIsNotDelivered() throws Exception {
    long version = store.commit(0, small("same"), "alice", "first");
    Deliveries deliveries = watch();
    assertEquals(version, deliveries.next().version());

    Config withAdminListener =
        small("same").toBuilder().addListeners(listener("admin", 9000)).build();
    long withAdmin = store.commit(version, withAdminListener, "alice", "add admin");
    deliveries.next(withAdmin);
    Config reordered =
        withAdminListener.toBuilder()
            .clearListeners()
            .addListeners(listener("admin", 9000))
            .addListeners(listener("web", 8080))
            .build();

    assertEquals(withAdmin, store.commit(withAdmin, reordered, "bob", "nothing new"));
    assertEquals(withAdmin, store.commit(withAdmin, withAdminListener, "bob", "nothing new"));

    assertEquals(withAdmin, store.read().version());
    long changed = store.commit(withAdmin, small("changed"), "bob", "a real change");
    deliveries.next(changed); // and nothing between the two
  }

  @Test
  void aCommitOfANewUpstreamAndTheRouteToItIsDeliveredWhole() throws Exception {
    long version = store.commit(0, small("one"), "alice", "first");
    Deliveries deliveries = watch();
    deliveries.next(version);

    Config more =
        small("one").toBuilder()
            .addUpstreams(upstream("api", "10.0.0.2:80"))
            .addUpstreams(upstream("billing", "10.0.0.3:80"))
            .addRoutes(proxy("api", "/api", "api"))
            .addRoutes(proxy("billing", "/billing", "billing"))
            .build();
    long next = store.commit(version, more, "alice", "two services");

    VersionedConfig delivered = deliveries.next(next);
    assertWhole(delivered.config());
    assertEquals(ConfigObjects.of(more), ConfigObjects.of(delivered.config()));
  }

  @Test
  void aDeletedObjectIsGoneForReadersAndWatchers() throws Exception {
    Config both =
        small("x").toBuilder()
            .addUpstreams(upstream("old", "10.0.0.9:80"))
            .addRoutes(proxy("old", "/old", "old"))
            .build();
    long version = store.commit(0, both, "alice", "with old");
    Deliveries deliveries = watch();
    deliveries.next(version);

    long without = store.commit(version, small("x"), "alice", "old is gone");

    VersionedConfig delivered = deliveries.next(without);
    assertEquals(
        List.of("app"),
        delivered.config().getUpstreamsList().stream().map(Upstream::getName).toList());
    assertEquals(
        List.of("app", "hello"),
        delivered.config().getRoutesList().stream().map(Route::getName).toList());
    assertEquals(delivered, store.read());
  }

  @Test
  void aRouteOrderChangeAloneMakesANewVersion() throws Exception {
    Config ab =
        Config.newBuilder()
            .addRoutes(respond("a", "/a", "a"))
            .addRoutes(respond("b", "/b", "b"))
            .build();
    Config ba =
        Config.newBuilder()
            .addRoutes(respond("b", "/b", "b"))
            .addRoutes(respond("a", "/a", "a"))
            .build();
    long first = store.commit(0, ab, "alice", "a then b");

    long second = store.commit(first, ba, "alice", "b then a");

    assertTrue(second > first, second + " after " + first);
    assertEquals(ba, store.read().config());
  }

  @Test
  void versionsStrictlyIncreaseAndWatchersGetEveryOneInOrder() throws Exception {
    Deliveries deliveries = watch();
    long version = deliveries.next().version();
    List<Long> committed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long next = store.commit(version, small("v" + i), "alice", "change " + i);
      assertTrue(next > version, next + " after " + version);
      committed.add(next);
      version = next;
    }

    List<Long> delivered = new ArrayList<>();
    for (int i = 0; i < committed.size(); i++) {
      VersionedConfig config = deliveries.next();
      assertEquals(small("v" + i), config.config());
      delivered.add(config.version());
    }
    assertEquals(committed, delivered);
  }

  @Test
  void aClosedSubscriptionHearsNothingMore() throws Exception {
    Deliveries closed = new Deliveries();
    ConfigStore.Subscription subscription = store.watch(closed);
    Deliveries open = watch();
    closed.next(0);
    open.next(0);

    subscription.close();
    long version = store.commit(0, small("after"), "alice", "after close");

    open.next(version);
    closed.assertNothingPending();
  }

  private static List<String> described(List<HistoryRecord> history) {
    return history.stream()
        .map(r -> r.version() + " " + r.principal() + ": " + r.summary())
        .toList();
  }

  @Test
  void historyListsEveryWriteNewestFirstWithWhoMadeItAndWhy() throws Exception {
    assertEquals(List.of(), store.history(20), "version 0 has no entry");
    long first = store.commit(0, small("one"), "alice", "first config");
    long second = store.commit(first, small("two"), "bob", "new greeting");
    long third = store.commit(second, small("three"), "carol", "newer greeting");

    List<HistoryRecord> history = store.history(20);

    assertEquals(
        List.of(
            third + " carol: newer greeting",
            second + " bob: new greeting",
            first + " alice: first config"),
        described(history));
    assertEquals(store.read().committedAt(), history.get(0).committedAt());
    assertNotEquals(Instant.EPOCH, history.get(2).committedAt());
    assertEquals(history.subList(0, 2), store.history(2));
  }

  @Test
  void aCommitThatChangesNothingAddsNoHistoryEntry() throws Exception {
    long version = store.commit(0, small("same"), "alice", "first");

    assertEquals(version, store.commit(version, small("same"), "bob", "nothing new"));

    assertEquals(List.of(version + " alice: first"), described(store.history(20)));
  }

  @Test
  void aHistoryOfFewerThanOneEntryIsRefused() throws Exception {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> store.history(0));
    assertEquals("limit: 0 (expected: > 0)", zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> store.history(-1));
    assertThrows(IllegalArgumentException.class, () -> store.version(-1));
  }

  @Test
  void aPastVersionReadsBackExactlyAsItWasCommittedRouteOrderIncluded() throws Exception {
    Config zFirst =
        Config.newBuilder()
            .addListeners(listener("web", 8080))
            .addUpstreams(upstream("alpha", "10.0.0.1:80"))
            .addRoutes(respond("z", "/z", "z"))
            .addRoutes(proxy("a", "/", "alpha"))
            .build();
    Config aFirst =
        zFirst.toBuilder()
            .clearRoutes()
            .addRoutes(proxy("a", "/", "alpha"))
            .addRoutes(respond("z", "/z", "z"))
            .build();
    long first = store.commit(0, zFirst, "alice", "z before a");
    VersionedConfig asCommitted = store.read();
    long second = store.commit(first, aFirst, "bob", "a before z");

    assertEquals(Optional.of(asCommitted), store.version(first));
    assertEquals(zFirst, store.version(first).orElseThrow().config());
    assertEquals(Optional.of(store.read()), store.version(second));
    assertEquals(Optional.empty(), store.version(0), "the empty store has no entry");
    assertEquals(Optional.empty(), store.version(second + 1000), "not a version yet");
  }

  @Test
  void onlyTheLastHistoryKeptVersionsRemainAndTheOldestAreGone() throws Exception {
    List<Long> committed = new ArrayList<>();
    long version = 0;
    for (int i = 0; i < ConfigStore.HISTORY_KEPT + 5; i++) {
      version = store.commit(version, small("v" + i), "alice", "change " + i);
      committed.add(version);
    }

    List<HistoryRecord> history = store.history(ConfigStore.HISTORY_KEPT + 50);

    List<Long> kept = new ArrayList<>(committed.subList(5, committed.size()));
    Collections.reverse(kept);
    assertEquals(kept, history.stream().map(HistoryRecord::version).toList());
    assertEquals("change 5", history.get(history.size() - 1).summary());
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), store.version(committed.get(i)), "pruned version " + i);
    }
    assertEquals(small("v5"), store.version(committed.get(5)).orElseThrow().config());
  }

  @Test
  void historyEntriesNeitherMakeVersionsNorWakeTheWatch() throws Exception {
    Deliveries deliveries = watch();
    long version = deliveries.next(0).version();
    List<Long> committed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      version = store.commit(version, small("v" + i), "alice", "change " + i);
      committed.add(version);
      deliveries.next(version); // and nothing between two commits
    }

    assertEquals(version, store.read().version());
    assertEquals(
        List.of(committed.get(2), committed.get(1), committed.get(0)),
        store.history(20).stream().map(HistoryRecord::version).toList());
    long next = store.commit(version, small("last"), "alice", "after reading the history");
    deliveries.next(next);
  }

  DrainDeliveries watchDrains() {
    DrainDeliveries deliveries = new DrainDeliveries();
    closeAfter(store.nodes().watchDrains(deliveries));
    return deliveries;
  }

  @Test
  void aDrainRequestReachesWatchersStartedBeforeAndAfterItOnceEach() throws Exception {
    NodeStatusStore nodes = store.nodes();
    nodes.put(status("node-1", "r1"));
    DrainDeliveries before = watchDrains();

    nodes.requestDrain("node-1", "alice");
    nodes.requestDrain("node-1", "bob"); // stands already: not a new request
    DrainDeliveries after = watchDrains();

    before.next("node-1");
    after.next("node-1");
    nodes.requestDrain("node-2", "alice"); // behind everything delivered so far, in order
    before.next("node-2");
    after.next("node-2");
    before.assertNothingPending();
    after.assertNothingPending();
  }

  @Test
  void aDrainRequestIsDeliveredForItsNodeOnly() throws Exception {
    NodeStatusStore nodes = store.nodes();
    nodes.put(status("node-1", "r1"));
    nodes.put(status("node-2", "r1"));
    DrainDeliveries deliveries = watchDrains();

    nodes.requestDrain("node-2", "alice");

    deliveries.next("node-2");
    nodes.requestDrain("node-3", "alice");
    deliveries.next("node-3"); // nothing for node-1 came between
  }

  @Test
  void removingANodeClearsItsDrainRequest() throws Exception {
    NodeStatusStore nodes = store.nodes();
    nodes.put(status("node-1", "r1"));
    DrainDeliveries watching = watchDrains();
    nodes.requestDrain("node-1", "alice");
    watching.next("node-1");

    nodes.remove("node-1");
    nodes.requestDrain("node-2", "alice");
    DrainDeliveries later = watchDrains();

    later.next("node-2"); // node-1's request is gone, so it is not listed first
    watching.next("node-2"); // and its removal was not delivered
    nodes.put(status("node-1", "r1")); // the node comes back: nothing asks it to drain
    nodes.requestDrain("node-3", "alice");
    later.next("node-3");
    watching.next("node-3");
  }

  @Test
  void aClosedDrainSubscriptionHearsNothingMore() throws Exception {
    DrainDeliveries closed = new DrainDeliveries();
    ConfigStore.Subscription subscription = store.nodes().watchDrains(closed);
    DrainDeliveries open = watchDrains();
    store.nodes().requestDrain("node-1", "alice");
    closed.next("node-1");
    open.next("node-1");

    subscription.close();
    store.nodes().requestDrain("node-2", "alice");

    open.next("node-2");
    closed.assertNothingPending();
  }

  @Test
  void nodeStatusesArePutListedByNodeIdReplacedAndRemoved() throws Exception {
    NodeStatusStore nodes = store.nodes();
    nodes.put(status("node-c", "r1"));
    nodes.put(status("node-a", "r1"));
    nodes.put(status("node-b", "r1"));
    assertEquals(
        List.of("node-a", "node-b", "node-c"),
        nodes.list().stream().map(NodeStatus::getNodeId).toList());

    NodeStatus acked = status("node-a", "r1").toBuilder().setAckedVersion(7).build();
    nodes.put(acked);
    nodes.remove("node-b");
    nodes.remove("node-unknown");

    assertEquals(List.of(acked, status("node-c", "r1")), nodes.list());
  }
}
