package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryCallbacks;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes node statuses to the store off the gRPC threads. Changes are coalesced per node (only the
 * latest status of a node is written) and written together ({@link NodeStatusStore#putAll}), so a
 * thousand nodes ACKing at once cost a few store calls, and a store outage costs nothing but a
 * retry: the newest status of each node is written when the store answers again.
 *
 * <p>No timer on the way: a status is handed to the store at once when a write slot is free, and up
 * to {@link #MAX_WRITES_IN_FLIGHT} batches are in flight together, each with the nodes whose
 * statuses are pending and not already being written. So the last ACK of a burst is written one
 * store write after it arrives, not after the write that was in flight when it came; only when
 * every slot is busy do statuses wait, coalesced into the next batch. A node is in at most one
 * write at a time, so each node's statuses (and its removal) reach the store in order.
 *
 * <p>Threading: the callbacks only record and start writes; the writes run on {@code writes} (in
 * production a pool of {@link #MAX_WRITES_IN_FLIGHT} "wharf-node-status" threads) and retries after
 * a failure wait {@code retryDelay} on {@code timer}, both injected so tests need no sleeps.
 */
final class NodeStatusWriter implements DiscoveryCallbacks, AutoCloseable {
  /** Batches in flight at once: etcd commits concurrent writes together. */
  static final int MAX_WRITES_IN_FLIGHT = 4;

  private static final Logger log = LoggerFactory.getLogger(NodeStatusWriter.class);

  /** Runs a task once after a delay: the retry timer. */
  interface Timer {
    void after(Duration delay, Runnable task);
  }

  private final NodeStatusStore store;
  private final Duration retryDelay;
  private final int maxInFlight;
  private final Executor writes;
  private final Timer timer;
  private final ScheduledThreadPoolExecutor owned; // null when the executor was injected

  // Guarded by this.
  /** Node id to its latest status not yet handed to the store, or empty when it disconnected. */
  private final Map<String, Optional<NodeStatus>> pending = new LinkedHashMap<>();

  private final Set<String> writing = new HashSet<>();
  private int inFlight;
  private boolean waitingForRetry;
  private boolean failing;

  NodeStatusWriter(NodeStatusStore store, Duration retryDelay) {
    this(store, retryDelay, daemonThreads());
  }

  private NodeStatusWriter(
      NodeStatusStore store, Duration retryDelay, ScheduledThreadPoolExecutor threads) {
    this(
        store,
        retryDelay,
        MAX_WRITES_IN_FLIGHT,
        threads,
        (delay, task) -> threads.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS),
        threads);
  }

  /** With injected threads: {@code writes} runs each batch, {@code timer} each retry. */
  NodeStatusWriter(
      NodeStatusStore store, Duration retryDelay, int maxInFlight, Executor writes, Timer timer) {
    this(store, retryDelay, maxInFlight, writes, timer, null);
  }

  private NodeStatusWriter(
      NodeStatusStore store,
      Duration retryDelay,
      int maxInFlight,
      Executor writes,
      Timer timer,
      ScheduledThreadPoolExecutor owned) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
    }
    this.store = store;
    this.retryDelay = retryDelay;
    this.maxInFlight = maxInFlight;
    this.writes = writes;
    this.timer = timer;
    this.owned = owned;
  }

  private static ScheduledThreadPoolExecutor daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return new ScheduledThreadPoolExecutor(
        MAX_WRITES_IN_FLIGHT,
        r -> {
          Thread t = new Thread(r, "wharf-node-status-" + count.incrementAndGet());
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

  private synchronized void record(String nodeId, Optional<NodeStatus> status) {
    pending.put(nodeId, status);
    startWrites();
  }

  /**
   * While a slot is free (and no retry is awaited), starts a batch of every pending node that is
   * not being written. Holding this.
   */
  private void startWrites() {
    while (!waitingForRetry && inFlight < maxInFlight) {
      Map<String, Optional<NodeStatus>> batch = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, Optional<NodeStatus>>> it = pending.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, Optional<NodeStatus>> e = it.next();
        if (writing.add(e.getKey())) {
          batch.put(e.getKey(), e.getValue());
          it.remove();
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      inFlight++;
      try {
        writes.execute(() -> write(batch));
      } catch (RejectedExecutionException e) { // closed: what is left is not written
        inFlight--;
        writing.removeAll(batch.keySet());
        return;
      }
    }
  }

  /**
   * Writes one batch: its statuses in one {@link NodeStatusStore#putAll}, then its removals one by
   * one. What failed goes back to pending, where newer statuses recorded meanwhile win.
   */
  private void write(Map<String, Optional<NodeStatus>> batch) {
    Map<String, Optional<NodeStatus>> failed = new LinkedHashMap<>();
    StoreException error = null;
    List<NodeStatus> puts = new ArrayList<>(batch.size());
    for (Optional<NodeStatus> status : batch.values()) {
      status.ifPresent(puts::add);
    }
    if (!puts.isEmpty()) {
      try {
        store.putAll(puts);
      } catch (StoreException e) {
        error = e;
        puts.forEach(s -> failed.put(s.getNodeId(), Optional.of(s)));
      }
    }
    for (var entry : batch.entrySet()) {
      if (entry.getValue().isEmpty()) {
        try {
          store.remove(entry.getKey());
        } catch (StoreException e) {
          error = e;
          failed.put(entry.getKey(), entry.getValue());
        }
      }
    }
    finished(batch.keySet(), failed, error);
  }

  private synchronized void finished(
      Set<String> nodes, Map<String, Optional<NodeStatus>> failed, StoreException error) {
    inFlight--;
    writing.removeAll(nodes);
    if (error == null) {
      if (failing) {
        failing = false;
        log.info("node statuses are written again");
      }
    } else {
      if (!failing) {
        failing = true;
        log.warn(
            "cannot write node statuses, retrying every {}: {}", retryDelay, error.getMessage());
      }
      failed.forEach(pending::putIfAbsent); // a newer status recorded meanwhile wins
      if (!waitingForRetry) {
        waitingForRetry = true;
        timer.after(retryDelay, this::retry);
      }
    }
    startWrites();
  }

  private synchronized void retry() {
    waitingForRetry = false;
    startWrites();
  }

  /** Writes what is pending, a last try even while a retry is awaited (bounded by {@code wait}). */
  void close(Duration wait) {
    synchronized (this) {
      waitingForRetry = false;
      startWrites();
    }
    if (owned == null) {
      return;
    }
    owned.shutdown();
    try {
      if (!owned.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        owned.shutdownNow();
      }
    } catch (InterruptedException e) {
      owned.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }
}
