package dev.wharf.controlplane.server;

import dev.wharf.config.Timestamps;
import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.NodeRecords;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this replica's part of the {@link NodeRecords}: a node's record is written when what an
 * operator reads of it changes (it connected, its version, a refusal, draining), rewritten for
 * every connected node each {@link #refresh} (so a record says when its node was last seen
 * connected, at most that long ago), and written DISCONNECTED when its stream ends (deleted if the
 * node was draining then: wharfctl drain or SIGTERM, it left on purpose). Each refresh also prunes
 * the records (any replica's) whose time is older than the node memory window, unless the node is
 * connected here.
 *
 * <p>Threading: the callbacks only record and schedule; one thread ("wharf-node-records") does
 * every store call. A store outage costs only retries: the next refresh writes what is pending.
 */
final class NodeRecordsWriter implements DiscoveryCallbacks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeRecordsWriter.class);

  private final NodeRecords records;
  private final Duration window;
  private final Duration refresh;
  private final Clock clock;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wharf-node-records");
            t.setDaemon(true);
            return t;
          });

  // Guarded by this.
  private final Map<String, NodeStatus> connected = new HashMap<>();
  private final Map<String, NodeStatus> pending = new LinkedHashMap<>();
  private boolean scheduled;
  private boolean failing;

  /**
   * @param window how long a node is remembered after it was last seen
   * @param refresh how often the records of connected nodes are rewritten and old ones pruned
   */
  NodeRecordsWriter(NodeRecords records, Duration window, Duration refresh, Clock clock) {
    this.records = records;
    this.window = window;
    this.refresh = refresh;
    this.clock = clock;
    thread.scheduleWithFixedDelay(
        this::refreshAll, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A refresh a fifth of the window, between 1 s and 1 min. */
  static Duration refreshFor(Duration window) {
    Duration fifth = window.dividedBy(5);
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofMinutes(1);
    return fifth.compareTo(min) < 0 ? min : fifth.compareTo(max) > 0 ? max : fifth;
  }

  @Override
  public synchronized void statusChanged(NodeStatus status) {
    NodeStatus before = connected.put(status.getNodeId(), status);
    if (before == null || !sameForOperators(before, status)) {
      schedule(status.getNodeId(), status);
    }
  }

  @Override
  public synchronized void disconnected(String nodeId) {
    NodeStatus last = connected.remove(nodeId);
    if (last != null) {
      schedule(
          nodeId,
          last.toBuilder()
              .setConnection(NodeConnection.NODE_CONNECTION_DISCONNECTED)
              .setDisconnectedSince(Timestamps.toProto(clock.instant()))
              .build());
    }
  }

  private static boolean sameForOperators(NodeStatus a, NodeStatus b) {
    return a.getAckedVersion() == b.getAckedVersion()
        && a.getLastNackVersion() == b.getLastNackVersion()
        && a.getRefusedVersionsList().equals(b.getRefusedVersionsList())
        && a.getDraining() == b.getDraining()
        && a.getConnectedSince().equals(b.getConnectedSince());
  }

  private void schedule(String nodeId, NodeStatus record) {
    pending.put(nodeId, record);
    if (!scheduled && !thread.isShutdown()) {
      scheduled = true;
      thread.execute(this::flush);
    }
  }

  private void flush() {
    List<NodeStatus> batch;
    synchronized (this) {
      batch = stamped(pending.values());
      scheduled = false;
      pending.clear();
    }
    write(batch);
  }

  /** On the thread: rewrites every connected node's record, then prunes old records. */
  private void refreshAll() {
    List<NodeStatus> batch;
    synchronized (this) {
      Map<String, NodeStatus> all = new LinkedHashMap<>(pending);
      connected.forEach(all::putIfAbsent);
      pending.clear();
      batch = stamped(all.values());
    }
    if (write(batch)) {
      prune();
    }
  }

  private List<NodeStatus> stamped(Iterable<NodeStatus> statuses) {
    var now = Timestamps.toProto(clock.instant());
    List<NodeStatus> out = new ArrayList<>();
    for (NodeStatus s : statuses) {
      out.add(
          s.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED
              ? s
              : s.toBuilder()
                  .setConnection(NodeConnection.NODE_CONNECTION_CONNECTED)
                  .setUpdatedAt(now)
                  .build());
    }
    return out;
  }

  private boolean write(List<NodeStatus> batch) {
    if (batch.isEmpty()) {
      return true;
    }
    List<NodeStatus> kept = new ArrayList<>();
    List<String> drained = new ArrayList<>();
    for (NodeStatus r : batch) {
      if (r.getDraining() && r.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED) {
        drained.add(r.getNodeId()); // it left on purpose: nothing to wait for
      } else {
        kept.add(r);
      }
    }
    try {
      records.write(kept);
      records.forget(drained);
      if (failing) {
        failing = false;
        log.info("node records are written again");
      }
      return true;
    } catch (StoreException | RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("cannot write node records, retrying every {}: {}", refresh, e.getMessage());
      }
      synchronized (this) {
        batch.forEach(r -> pending.putIfAbsent(r.getNodeId(), r)); // newer ones recorded win
      }
      return false;
    }
  }

  private void prune() {
    Instant oldest = clock.instant().minus(window);
    try {
      List<NodeStatus> stale = new ArrayList<>();
      for (NodeStatus r : records.list()) {
        boolean here;
        synchronized (this) {
          here = connected.containsKey(r.getNodeId());
        }
        if (!here && Timestamps.toJava(lastSeen(r)).isBefore(oldest)) {
          stale.add(r);
        }
      }
      records.prune(stale);
      if (!stale.isEmpty()) {
        log.info("forgot {} node(s) not seen for {}", stale.size(), window);
      }
    } catch (StoreException | RuntimeException e) {
      log.debug("cannot prune node records now: {}", e.getMessage());
    }
  }

  private static com.google.protobuf.Timestamp lastSeen(NodeStatus r) {
    return r.hasDisconnectedSince() ? r.getDisconnectedSince() : r.getUpdatedAt();
  }

  /** Writes what is pending (the disconnects of a replica shutting down), then stops. */
  @Override
  public void close() {
    try {
      thread.execute(this::flush);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      return;
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
