package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryState;
import dev.wharf.controlplane.discovery.LivenessSettings;
import dev.wharf.controlplane.discovery.RebalancePlan;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.ReplicaDirectory;
import dev.wharf.controlplane.store.StoreException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's liveness work (docs/operations.md, "Liveness and rebalancing"):
 *
 * <ul>
 *   <li>every heartbeat interval, a heartbeat to every node, and the end of the streams of nodes
 *       that stopped answering ({@link DiscoveryState#heartbeat}); on a thread of its own ({@code
 *       wharf-heartbeats}) that never waits for the store, so a slow store never delays them;
 *   <li>every {@link #ANNOUNCE_EVERY}, this replica announces itself in the store ({@link
 *       ReplicaDirectory}) and learns which replicas are alive; and about every rebalance interval
 *       (plus up to half of it at random, so replicas do not act in step), it asks the nodes it
 *       holds beyond its share of the fleet to move, at most a few per round ({@link
 *       RebalancePlan}); on {@code wharf-rebalance}, which blocks on the store.
 * </ul>
 *
 * A store only one replica uses has no directory: nothing to rebalance.
 */
final class LivenessTasks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LivenessTasks.class);
  static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(2);

  private final DiscoveryState discovery;
  private final ConfigStore store;
  private final String replicaId;
  private final LivenessSettings settings;
  private final RandomGenerator random;
  private final ScheduledExecutorService heartbeats = daemon("wharf-heartbeats");
  private final ScheduledExecutorService rebalance = daemon("wharf-rebalance");
  private volatile Set<String> live = Set.of();

  LivenessTasks(
      DiscoveryState discovery,
      ConfigStore store,
      String replicaId,
      LivenessSettings settings,
      RandomGenerator random) {
    this.discovery = discovery;
    this.store = store;
    this.replicaId = replicaId;
    this.settings = settings;
    this.random = random;
  }

  void start() {
    long beat = settings.heartbeatInterval().toNanos();
    heartbeats.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.NANOSECONDS);
    ReplicaDirectory directory = store.replicas().orElse(null);
    if (directory == null) {
      return;
    }
    rebalance.scheduleWithFixedDelay(
        () -> announce(directory), 0, ANNOUNCE_EVERY.toNanos(), TimeUnit.NANOSECONDS);
    if (settings.rebalanceMaxMoves() > 0) {
      scheduleRound();
    }
  }

  private void heartbeat() {
    try {
      discovery.heartbeat();
    } catch (RuntimeException e) {
      log.warn("heartbeats to the nodes failed; next round in {}", settings.heartbeatInterval(), e);
    }
  }

  private void announce(ReplicaDirectory directory) {
    try {
      live = directory.announce();
    } catch (StoreException | RuntimeException e) {
      live = Set.of(); // unknown: no rebalancing on an old view
      log.debug("cannot announce this replica: {}", e.getMessage());
    }
  }

  private void scheduleRound() {
    long base = settings.rebalanceInterval().toNanos();
    long delay = base + (long) (random.nextDouble() * base / 2);
    try {
      rebalance.schedule(this::round, delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void round() {
    try {
      Set<String> alive = live;
      if (alive.isEmpty()) {
        return;
      }
      int fleet = store.nodes().list().size();
      RebalancePlan plan =
          RebalancePlan.of(
              replicaId, discovery.heldNodes(), fleet, alive, settings.rebalanceMaxMoves());
      if (plan.moves() > 0) {
        int asked = discovery.moveAway(plan.moves(), plan.reason(), random);
        log.info(
            "rebalancing: {}; asked {} node(s) to move to another replica", plan.reason(), asked);
      }
    } catch (StoreException | RuntimeException e) {
      log.debug("rebalancing round skipped: {}", e.getMessage());
    } finally {
      scheduleRound();
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    rebalance.shutdownNow();
  }

  private static ScheduledExecutorService daemon(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
