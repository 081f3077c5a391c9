package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.admin.v1.NodeEvent;
import dev.wharf.proto.admin.v1.WatchEvent;
import dev.wharf.proto.admin.v1.WatchRequest;
import dev.wharf.proto.discovery.v1.NodeStatus;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Admin API's {@code Watch} streams, fed from one subscription to the store per replica: each
 * config version the store delivers, and node status changes found by listing the fleet every
 * {@code nodePoll} while some stream asks for nodes (the node status store has no watch of its own;
 * a list is one read per replica however many streams watch).
 *
 * <p>Each stream holds at most one pending config version and one pending status per node ({@link
 * WatchStream}), so a slow client costs bounded memory and gets the latest state.
 *
 * <p>Threading: versions arrive on the store's thread, node lists on this class's own thread,
 * readiness on gRPC's; each stream serializes its own sends.
 */
public final class Watches implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Watches.class);

  private final ConfigStore store;
  private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService poller;
  private final ConfigStore.Subscription subscription;
  private volatile VersionedConfig latest;
  private volatile boolean closed;

  /** Guarded by the poller thread: the fleet as last listed. */
  private Map<String, NodeStatus> fleet = Map.of();

  public Watches(ConfigStore store, Duration nodePoll) {
    this.store = Objects.requireNonNull(store, "store");
    if (nodePoll.isNegative() || nodePoll.isZero()) {
      throw new IllegalArgumentException("nodePoll: " + nodePoll + " (expected: > 0)");
    }
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "wharf-admin-watch");
              t.setDaemon(true);
              return t;
            });
    this.subscription = store.watch(this::publish);
    poller.scheduleWithFixedDelay(this::pollNodes, 0, nodePoll.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Serves one {@code Watch} call until the client cancels or {@link #close}. */
  public void open(WatchRequest request, StreamObserver<WatchEvent> observer) {
    if (closed) {
      observer.onError(shuttingDown());
      return;
    }
    WatchStream stream =
        new WatchStream((ServerCallStreamObserver<WatchEvent>) observer, request, streams::remove);
    streams.add(stream);
    if (closed) {
      stream.end(shuttingDown()); // close() ran meanwhile and did not see this stream
      return;
    }
    VersionedConfig now = latest;
    if (now != null) {
      stream.offer(now);
    }
    if (request.getNodes()) {
      // List now (the fleet is not listed while nobody watches it), then send the whole of it.
      poller.execute(
          () -> {
            pollNodes();
            fleet.values().forEach(s -> stream.offer(event(s, false)));
          });
    }
  }

  /** The newest config version the store has delivered here (what a new stream starts with). */
  public long latestVersion() {
    VersionedConfig now = latest;
    return now == null ? 0 : now.version();
  }

  private void publish(VersionedConfig config) {
    latest = config;
    streams.forEach(s -> s.offer(config));
  }

  private void pollNodes() {
    if (closed || streams.stream().noneMatch(WatchStream::wantsNodes)) {
      return;
    }
    List<NodeStatus> listed;
    try {
      listed = store.nodes().list();
    } catch (StoreException | RuntimeException e) {
      // A failed poll must not end the schedule: the next one tries again.
      log.debug("watch: cannot list the fleet now: {}", e.getMessage());
      return;
    }
    Map<String, NodeStatus> now = new LinkedHashMap<>();
    listed.forEach(s -> now.put(s.getNodeId(), s));
    for (NodeStatus s : now.values()) {
      if (!s.equals(fleet.get(s.getNodeId()))) {
        NodeEvent e = event(s, false);
        streams.forEach(w -> w.offer(e));
      }
    }
    for (NodeStatus gone : fleet.values()) {
      if (!now.containsKey(gone.getNodeId())) {
        NodeEvent e = event(gone, true);
        streams.forEach(w -> w.offer(e));
      }
    }
    fleet = now;
  }

  private static NodeEvent event(NodeStatus s, boolean removed) {
    return NodeEvent.newBuilder().setStatus(s).setRemoved(removed).build();
  }

  private static RuntimeException shuttingDown() {
    return Status.UNAVAILABLE
        .withDescription("control-plane replica shutting down; watch another replica")
        .asRuntimeException();
  }

  /** How many streams are open (for tests and metrics). */
  public int open() {
    return streams.size();
  }

  /** Ends every stream with UNAVAILABLE and stops watching the store. */
  @Override
  public void close() {
    closed = true;
    subscription.close();
    poller.shutdownNow();
    for (WatchStream s : List.copyOf(streams)) {
      s.end(shuttingDown());
    }
  }
}
