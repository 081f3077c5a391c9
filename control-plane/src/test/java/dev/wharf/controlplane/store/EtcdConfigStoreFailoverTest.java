package dev.wharf.controlplane.store;

import static dev.wharf.controlplane.store.StoreAssertions.assertVersion;
import static dev.wharf.controlplane.store.TestConfigs.small;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdCluster;
import dev.wharf.testkit.EtcdExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A watch survives losing the etcd member it is connected to. Which member that is, the test cannot
 * tell, so it takes each member away in turn: one of them carries the watch.
 */
@Timeout(180)
class EtcdConfigStoreFailoverTest {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);

  private static final Duration LEADER_BOUND = Duration.ofSeconds(30);

  private final String prefix = "/failover-" + UUID.randomUUID();

  private EtcdStoreSettings settings(List<URI> endpoints, String replicaId) {
    return EtcdStoreSettings.defaults(endpoints, replicaId)
        .withPrefix(prefix)
        .withCallTimeout(Duration.ofSeconds(2))
        .withRetry(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  @Test
  void aWatchDeliversCommitsMadeWhileEachMemberInTurnIsStopped() throws Exception {
    watchWhileEachMemberInTurnIsDown(etcd.cluster()::stopMember);
  }

  @Test
  void aWatchDeliversCommitsMadeWhileEachMemberInTurnIsKilled() throws Exception {
    watchWhileEachMemberInTurnIsDown(etcd.cluster()::killMember);
  }

  private void watchWhileEachMemberInTurnIsDown(IntConsumer takeDown) throws Exception {
    EtcdCluster cluster = etcd.cluster();
    try (EtcdConfigStore watched =
        EtcdConfigStore.connect(settings(cluster.clientEndpoints(), "watcher"))) {
      Deliveries deliveries = new Deliveries();
      watched.watch(deliveries);
      long version = deliveries.next().version();
      try {
        for (int down = 0; down < cluster.size(); down++) {
          takeDown.accept(down);
          URI survivor = cluster.clientEndpoint((down + 1) % cluster.size());
          try (EtcdConfigStore writer =
              EtcdConfigStore.connect(settings(List.of(survivor), "writer"))) {
            Config config = small("written while member " + down + " was down");
            long committed = commitOnceALeaderAnswers(writer, version, config);

            assertVersion(committed, config, deliveries.next());
            version = committed;
          }
          cluster.startMember(down);
        }
      } finally {
        for (int i = 0; i < cluster.size(); i++) {
          if (!cluster.isRunning(i)) {
            cluster.startMember(i);
          }
        }
      }
    }
  }

  /**
   * Commits {@code config} on {@code expected} once the cluster has a leader again. A commit whose
   * answer was lost in the election may have been applied: a read tells.
   */
  private static long commitOnceALeaderAnswers(
      EtcdConfigStore writer, long expected, Config config) {
    AtomicLong committed = new AtomicLong();
    Await.until(
        LEADER_BOUND,
        () -> {
          try {
            committed.set(writer.commit(expected, config, "test", "failover"));
            return true;
          } catch (StoreException e) { // stale included: the lost answer's commit moved it
            return appliedAnyway(writer, config, committed);
          }
        },
        () -> "no commit on version " + expected + " succeeded");
    return committed.get();
  }

  private static boolean appliedAnyway(
      EtcdConfigStore writer, Config config, AtomicLong committed) {
    try {
      VersionedConfig current = writer.read();
      if (current.config().equals(config)) {
        committed.set(current.version());
        return true;
      }
    } catch (StoreException unreachableStill) {
      // try again
    }
    return false;
  }
}
