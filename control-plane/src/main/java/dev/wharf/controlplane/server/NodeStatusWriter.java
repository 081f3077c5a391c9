package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes node statuses to the store off the gRPC threads. Changes are coalesced per node (only the
 * latest status of a node is written) and written together ({@link NodeStatusStore#putAll}), so a
 * thousand nodes ACKing at once cost a few store calls, and a store outage costs nothing but a
 * retry: the newest status of each node is written when the store answers again.
 *
 * <p>Threading: the callbacks only record and schedule; one thread ("wharf-node-status") does every
 * store call, in order.
 */
final class NodeStatusWriter implements DiscoveryCallbacks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeStatusWriter.class);

  private final NodeStatusStore store;
  private final Duration retryDelay;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wharf-node-status");
            t.setDaemon(true);
            return t;
          });

  /** Node id to its latest status, or empty when it disconnected; guarded by this. */
  private final Map<String, Optional<NodeStatus>> pending = new LinkedHashMap<>();

  private boolean scheduled;
  private boolean failing;

  NodeStatusWriter(NodeStatusStore store, Duration retryDelay) {
    this.store = store;
    this.retryDelay = retryDelay;
  }

  @Override
  public void statusChanged(NodeStatus status) {
    record(status.getNodeId(), Optional.of(status));
  }

  @Override
  public void disconnected(String nodeId) {
    record(nodeId, Optional.empty());
  }

  private synchronized void record(String nodeId, Optional<NodeStatus> status) {
    pending.put(nodeId, status);
    if (!scheduled && !thread.isShutdown()) {
      scheduled = true;
      thread.execute(this::flush);
    }
  }

  /**
   * Writes every pending status in one {@link NodeStatusStore#putAll} (the batch is what changed
   * since the last flush began, so the interval adapts to how long the store takes), then the
   * removals one by one. A failed batch goes back to pending, where newer statuses recorded
   * meanwhile win.
   */
  private void flush() {
    Map<String, Optional<NodeStatus>> batch;
    synchronized (this) {
      batch = new LinkedHashMap<>(pending);
      pending.clear();
      scheduled = false;
    }
    List<NodeStatus> puts = new ArrayList<>(batch.size());
    for (Optional<NodeStatus> status : batch.values()) {
      status.ifPresent(puts::add);
    }
    if (!puts.isEmpty()) {
      try {
        store.putAll(puts);
        written();
      } catch (StoreException e) {
        for (NodeStatus status : puts) {
          retryLater(status.getNodeId(), Optional.of(status), e);
        }
      }
    }
    for (var entry : batch.entrySet()) {
      if (entry.getValue().isPresent()) {
        continue;
      }
      try {
        store.remove(entry.getKey());
        written();
      } catch (StoreException e) {
        retryLater(entry.getKey(), entry.getValue(), e);
      }
    }
  }

  private synchronized void written() {
    if (failing) {
      failing = false;
      log.info("node statuses are written again");
    }
  }

  private synchronized void retryLater(
      String nodeId, Optional<NodeStatus> status, StoreException e) {
    if (!failing) {
      failing = true;
      log.warn("cannot write node statuses, retrying every {}: {}", retryDelay, e.getMessage());
    }
    pending.putIfAbsent(nodeId, status); // a newer status recorded meanwhile wins
    if (!scheduled && !thread.isShutdown()) {
      scheduled = true;
      thread.schedule(this::flush, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Writes what is pending (bounded by {@code wait}), then stops. */
  void close(Duration wait) {
    synchronized (this) {
      if (!scheduled && !pending.isEmpty()) {
        scheduled = true;
        thread.execute(this::flush);
      }
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }
}
