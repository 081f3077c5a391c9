package dev.wharf.controlplane.store;

import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node statuses of a store that serves one replica: in memory, gone with the process, which is what
 * an etcd lease gives a replica too. With one replica, every entry is this replica's own, so {@link
 * #remove} needs no check. Drain requests are kept the same way, and removed with the node's
 * status. Thread-safe; drain watches deliver on threads of their own ({@code wharf-store-drains}),
 * never on the caller's.
 */
final class MemoryNodeStatusStore implements NodeStatusStore {
  private static final Logger log = LoggerFactory.getLogger(MemoryNodeStatusStore.class);

  private final ConcurrentSkipListMap<String, NodeStatus> statuses = new ConcurrentSkipListMap<>();
  private final Set<DrainWatch> drainWatches = new CopyOnWriteArraySet<>();
  private final Set<String> drains = new TreeSet<>(); // guarded by this
  private boolean closed; // guarded by this

  @Override
  public void put(NodeStatus status) {
    Objects.requireNonNull(status, "status");
    if (status.getNodeId().isEmpty()) {
      throw new IllegalArgumentException("status.node_id: empty");
    }
    statuses.put(status.getNodeId(), status);
  }

  /** As the interface says; the node's drain request goes with it. */
  @Override
  public synchronized void remove(String nodeId) {
    statuses.remove(nodeId);
    drains.remove(nodeId);
  }

  @Override
  public List<NodeStatus> list() {
    return List.copyOf(statuses.values());
  }

  /** As the interface says; a request that stands already is not made again. */
  @Override
  public synchronized void requestDrain(String nodeId, String principal) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(principal, "principal");
    if (nodeId.isEmpty()) {
      throw new IllegalArgumentException("nodeId: empty");
    }
    if (drains.add(nodeId)) {
      log.info("node {}: {} asked it to drain", nodeId, principal);
      drainWatches.forEach(watch -> watch.offer(nodeId));
    }
  }

  @Override
  public synchronized ConfigStore.Subscription watchDrains(Consumer<String> listener) {
    if (closed) {
      throw new IllegalStateException("the config store is closed");
    }
    DrainWatch watch = new DrainWatch(Objects.requireNonNull(listener, "listener"));
    drainWatches.add(watch);
    // Under the lock, so no request can slip between the standing ones and the new ones.
    drains.forEach(watch::offer);
    return watch;
  }

  /** Stops every drain watch; later ones are refused. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    drainWatches.forEach(DrainWatch::close);
  }

  /** One drain watch: node ids delivered in the order offered, on one thread of its own. */
  private final class DrainWatch implements ConfigStore.Subscription {
    private final Consumer<String> listener;
    private final ExecutorService thread =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread t = new Thread(runnable, "wharf-store-drains");
              t.setDaemon(true);
              return t;
            });
    private volatile boolean closed;

    DrainWatch(Consumer<String> listener) {
      this.listener = listener;
    }

    void offer(String nodeId) {
      try {
        thread.execute(() -> deliver(nodeId));
      } catch (RejectedExecutionException closing) {
        // closed: nothing more to deliver
      }
    }

    private void deliver(String nodeId) {
      if (closed) {
        return;
      }
      try {
        listener.accept(nodeId);
      } catch (RuntimeException e) {
        log.error("a drain listener failed on node {}", nodeId, e);
      }
    }

    /** Stops deliveries; a delivery in progress finishes, queued ones are dropped. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        drainWatches.remove(this);
        thread.shutdown();
      }
    }
  }
}
