package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>One batch is written at a time, with what changed since the previous one began, so the batch
 * size adapts to how long the store takes. One exception: when every push of this replica is
 * answered ({@link #pushesAnswered}) while a batch is in flight, what is pending (the last ACKs of
 * a rollout) is written at once beside it rather than after it returns, so the fleet view trails
 * the last ACK by one store write, not one and a half. That is at most one extra write in flight,
 * once per rollout. A node is in one write at a time, so its statuses and its removal reach the
 * store in order.
 *
 * <p>Threading: the callbacks only record and schedule; one thread ("wharf-node-status") writes the
 * batches, another ("wharf-node-status-last") the last ACKs of a rollout.
 */
final class NodeStatusWriter implements DiscoveryCallbacks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeStatusWriter.class);

  private final NodeStatusStore store;
  private final Duration retryDelay;
  private final ScheduledExecutorService thread = daemonThread("wharf-node-status");
  private final ScheduledExecutorService lastAcks = daemonThread("wharf-node-status-last");

  /** Node id to its latest status, or empty when it disconnected; guarded by this. */
  private final Map<String, Optional<NodeStatus>> pending = new LinkedHashMap<>();

  /** Nodes in a write that has not returned; guarded by this. */
  private final Set<String> writing = new HashSet<>();

  private boolean scheduled;
  private boolean batchInFlight;
  private boolean lastAcksQueued;
  private boolean failing;

  NodeStatusWriter(NodeStatusStore store, Duration retryDelay) {
    this.store = store;
    this.retryDelay = retryDelay;
  }

  private static ScheduledExecutorService daemonThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  @Override
  public void statusChanged(NodeStatus status) {
    record(status.getNodeId(), Optional.of(status));
  }

  @Override
  public void disconnected(String nodeId) {
    record(nodeId, Optional.empty());
  }

  /**
   * Writes the pending statuses now if a batch is in flight (otherwise the next batch starts at
   * once anyway). Not while the store fails: the retry delay holds then.
   */
  @Override
  public synchronized void pushesAnswered() {
    if (batchInFlight && !lastAcksQueued && !failing && !lastAcks.isShutdown()) {
      lastAcksQueued = true;
      lastAcks.execute(this::writeLastAcks);
    }
  }

  private synchronized void record(String nodeId, Optional<NodeStatus> status) {
    pending.put(nodeId, status);
    scheduleFlush();
  }

  private synchronized void scheduleFlush() {
    if (!scheduled && !pending.isEmpty() && !thread.isShutdown()) {
      scheduled = true;
      thread.execute(this::flush);
    }
  }

  /** One batch: every pending status and removal of nodes not in the other write. */
  private void flush() {
    Map<String, Optional<NodeStatus>> batch;
    synchronized (this) {
      scheduled = false;
      batch = take(false);
      batchInFlight = true;
    }
    try {
      write(batch);
    } finally {
      synchronized (this) {
        batchInFlight = false;
      }
      written(batch);
    }
  }

  /** The pending statuses (not removals) of nodes not in the batch in flight, beside it. */
  private void writeLastAcks() {
    Map<String, Optional<NodeStatus>> batch;
    synchronized (this) {
      lastAcksQueued = false;
      batch = take(true);
    }
    try {
      write(batch);
    } finally {
      written(batch);
    }
  }

  /** Takes what is pending, but nodes in a write now (and removals unless asked), for a write. */
  private synchronized Map<String, Optional<NodeStatus>> take(boolean statusesOnly) {
    Map<String, Optional<NodeStatus>> batch = new LinkedHashMap<>();
    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!writing.contains(entry.getKey()) && !(statusesOnly && entry.getValue().isEmpty())) {
        batch.put(entry.getKey(), entry.getValue());
        it.remove();
      }
    }
    writing.addAll(batch.keySet());
    return batch;
  }

  /** The nodes of {@code batch} may be written again; what waited for them is written next. */
  private synchronized void written(Map<String, Optional<NodeStatus>> batch) {
    writing.removeAll(batch.keySet());
    scheduleFlush();
  }

  /**
   * Writes {@code batch}'s statuses in one {@link NodeStatusStore#putAll}, then its removals one by
   * one. A failed write goes back to pending, where newer statuses recorded meanwhile win.
   */
  private void write(Map<String, Optional<NodeStatus>> batch) {
    List<NodeStatus> puts = new ArrayList<>(batch.size());
    for (Optional<NodeStatus> status : batch.values()) {
      status.ifPresent(puts::add);
    }
    if (!puts.isEmpty()) {
      try {
        store.putAll(puts);
        succeeded();
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
        succeeded();
      } catch (StoreException e) {
        retryLater(entry.getKey(), entry.getValue(), e);
      }
    }
  }

  private synchronized void succeeded() {
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
    long deadline = System.nanoTime() + wait.toNanos();
    for (ScheduledExecutorService t : List.of(lastAcks, thread)) {
      t.shutdown();
      try {
        if (!t.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          t.shutdownNow();
        }
      } catch (InterruptedException e) {
        t.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }
}
