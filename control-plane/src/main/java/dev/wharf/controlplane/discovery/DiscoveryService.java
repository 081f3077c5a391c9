package dev.wharf.controlplane.discovery;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.NodeMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the discovery stream: one {@link NodeStream} per connected node, all pushing the latest
 * published snapshot under the protocol's rules (see discovery.proto).
 *
 * <p>The service knows nothing of the store. Whoever watches the store calls {@link #publish}
 * with each version, in order, from one thread; the service validates it with the shared
 * validator and offers it to every stream. A version the validator refuses is never pushed: the
 * nodes keep the previous one.
 */
public final class DiscoveryService extends DiscoveryGrpc.DiscoveryImplBase {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryService.class);

  private final String replicaId;
  private final DiscoveryCallbacks callbacks;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final DiscoveryMetrics metrics;
  private final Map<String, NodeStream> streams = new ConcurrentHashMap<>();
  /** Nodes asked to drain; a node that connects later is told as soon as it says hello. */
  private final Set<String> draining = ConcurrentHashMap.newKeySet();
  /** Highest version each node refused, kept across its reconnects to this replica. */
  private final Map<String, Long> refused = new ConcurrentHashMap<>();
  private final AtomicLong nonces = new AtomicLong();
  private volatile PublishedSnapshot latest;

  /**
   * @param replicaId this replica's id: recorded in node statuses and part of every nonce
   * @param nanoTime monotonic time for push-to-ACK latency ({@code System::nanoTime} in
   *     production)
   */
  public DiscoveryService(String replicaId, MeterRegistry registry, DiscoveryCallbacks callbacks,
      Clock clock, LongSupplier nanoTime) {
    this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
    this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.metrics = new DiscoveryMetrics(registry, streams::size);
  }

  /**
   * Makes {@code config} the version every node should run, if the validator accepts it.
   * Versions that do not go up are ignored.
   *
   * @return false when the version was refused (invalid, or not newer than the current one)
   */
  public boolean publish(VersionedConfig config) {
    PublishedSnapshot current = latest;
    if (current != null && config.version() <= current.version()) {
      return false;
    }
    List<ConfigError> errors = ConfigValidator.validate(config.config());
    if (!errors.isEmpty()) {
      metrics.rejected();
      log.error("version {} is invalid and will not be pushed; nodes keep version {}: {}",
          config.version(), current == null ? "they run" : current.version(),
          errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
      return false;
    }
    PublishedSnapshot next = new PublishedSnapshot(config.version(), config.config());
    latest = next;
    metrics.published(next.version(), lag(config));
    for (NodeStream stream : streams.values()) {
      stream.offer();
    }
    return true;
  }

  /** How long after its commit a version is published; null when the commit time is unknown. */
  private Duration lag(VersionedConfig config) {
    if (config.committedAt().equals(Instant.EPOCH)) {
      return null;
    }
    Duration lag = Duration.between(config.committedAt(), clock.instant());
    return lag.isNegative() ? Duration.ZERO : lag; // writers' clocks may run ahead of ours
  }

  /**
   * Passes a drain request on to node {@code nodeId} if its stream is on this replica, now or
   * when it connects. Called from the store's drain watch.
   */
  public void drain(String nodeId) {
    draining.add(nodeId);
    NodeStream stream = streams.get(nodeId);
    if (stream != null) {
      stream.drain();
    }
  }

  boolean drainRequested(String nodeId) {
    return draining.contains(nodeId);
  }

  /** The version being pushed, 0 before the first publish. */
  public long latestVersion() {
    PublishedSnapshot s = latest;
    return s == null ? 0 : s.version();
  }

  /** Number of nodes with a stream on this replica (after their hello). */
  public int connectedNodes() {
    return streams.size();
  }

  /**
   * Ends every stream with {@code status}, so nodes fail over to another replica at once rather
   * than when their keep-alive notices. Used on shutdown.
   */
  public void closeAll(Status status) {
    for (NodeStream stream : streams.values()) {
      stream.fail(status);
    }
  }

  @Override
  public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> responses) {
    return new NodeStream(this, (ServerCallStreamObserver<ControlMessage>) responses);
  }

  // --- for NodeStream ---

  PublishedSnapshot latest() {
    return latest;
  }

  String replicaId() {
    return replicaId;
  }

  Clock clock() {
    return clock;
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  DiscoveryMetrics metrics() {
    return metrics;
  }

  DiscoveryCallbacks callbacks() {
    return callbacks;
  }

  String nextNonce() {
    return replicaId + "-" + nonces.incrementAndGet();
  }

  long refusedVersion(String nodeId) {
    return refused.getOrDefault(nodeId, 0L);
  }

  void refused(String nodeId, long version) {
    refused.merge(nodeId, version, Math::max);
  }

  /** Registers a stream after its hello; a previous stream of the same node is ended. */
  void register(String nodeId, NodeStream stream) {
    NodeStream previous = streams.put(nodeId, stream);
    if (previous != null && previous != stream) {
      previous.replaced();
    }
  }

  /** Forgets a stream that ended; false when a newer stream of the node already replaced it. */
  boolean unregister(String nodeId, NodeStream stream) {
    boolean removed = streams.remove(nodeId, stream);
    if (removed) {
      draining.remove(nodeId); // a node that comes back later starts afresh
    }
    return removed;
  }
}
