package dev.wharf.controlplane.discovery;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.controlplane.store.VersionedConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this replica pushes and what it knows of the nodes connected to it: the latest published
 * snapshot, the highest version each node refused, the nodes asked to drain, and the fleet (one
 * {@link NodeSession} per connected node, which applies the protocol's rules to that node). It
 * knows nothing of gRPC: a transport ({@link DiscoveryService}) opens a session per stream and
 * hands it the node's messages through {@link NodeLink}.
 *
 * <p>Whoever watches the store calls {@link #publish} with each version, in order, from one thread;
 * the version is validated with the shared validator and offered to every session. A version the
 * validator refuses is never pushed: the nodes keep the previous one.
 *
 * <p><b>Threading: one lock per node, no lock over the fleet.</b> Three kinds of threads come here
 * at once: the publishing thread ({@link #publish}), the store's drain watch ({@link #drain}) and
 * gRPC's threads (one node's messages in order, different nodes at the same time). Everything about
 * one node (its status, the push in flight, what is written to its stream) happens holding that
 * node's {@link NodeSession} monitor. The fleet-wide state here is never locked: the latest
 * snapshot is a volatile reference only the publishing thread writes, the rest are concurrent
 * collections. So publishing or draining takes one session's lock at a time, never two. Locks nest
 * in one place only: a hello that replaces an older stream of the same node ends the older session
 * while holding its own lock; an older session never waits for a newer one. Nothing under a
 * session's lock blocks: {@link DiscoveryCallbacks} hand their work to threads of their own, and a
 * stream buffers what is written to it. A session reads the latest snapshot after registering, and
 * {@link #publish} offers to every registered session after writing it, so a node that connects
 * while a version is published gets it either way.
 */
public final class DiscoveryState {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryState.class);

  private final String replicaId;
  private final NodeSession.Replica replica;
  private final DiscoveryMetrics metrics;
  private final Clock clock;
  private final Map<String, NodeSession> sessions = new ConcurrentHashMap<>();

  /** Nodes asked to drain; a node that connects later is told as soon as it says hello. */
  private final Set<String> draining = ConcurrentHashMap.newKeySet();

  /** Highest version each node refused, kept across its reconnects to this replica. */
  private final Map<String, Long> refused = new ConcurrentHashMap<>();

  private final AtomicLong nonces = new AtomicLong();

  /** Pushes sent and neither answered nor given up with their stream, over all sessions. */
  private final AtomicInteger unanswered = new AtomicInteger();

  private volatile PublishedSnapshot latest;
  private volatile LivenessSettings liveness = LivenessSettings.DEFAULTS;

  /**
   * @param replicaId this replica's id: recorded in node statuses and part of every nonce
   * @param nanoTime monotonic time for push-to-ACK latency ({@code System::nanoTime} in production)
   */
  public DiscoveryState(
      String replicaId,
      MeterRegistry registry,
      DiscoveryCallbacks callbacks,
      Clock clock,
      LongSupplier nanoTime) {
    this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = new DiscoveryMetrics(registry, sessions::size);
    this.replica =
        new NodeSession.Replica(
            replicaId,
            Objects.requireNonNull(callbacks, "callbacks"),
            metrics,
            clock,
            Objects.requireNonNull(nanoTime, "nanoTime"));
  }

  /**
   * Makes {@code config} the version every node should run, if the validator accepts it. Versions
   * that do not go up are ignored.
   *
   * @return false when the version was refused (invalid, or not newer than the current one)
   */
  public boolean publish(VersionedConfig config) {
    PublishedSnapshot current = latest;
    if (current != null && config.version() <= current.version()) {
      return false;
    }
    long start = replica.nanoTime().getAsLong();
    List<ConfigError> errors = ConfigValidator.validate(config.config());
    long validated = replica.nanoTime().getAsLong();
    if (!errors.isEmpty()) {
      metrics.rejected();
      log.error(
          "version {} is invalid and will not be pushed; nodes keep version {}: {}",
          config.version(),
          current == null ? "they run" : current.version(),
          errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
      return false;
    }
    PublishedSnapshot next = new PublishedSnapshot(config.version(), config.config());
    latest = next;
    metrics.published(next.version(), lag(config));
    for (NodeSession session : sessions.values()) {
      session.offer();
    }
    metrics.publishStages(validated - start, replica.nanoTime().getAsLong() - validated);
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
   * Passes a drain request on to node {@code nodeId} if its stream is on this replica, now or when
   * it connects. Called from the store's drain watch.
   */
  public void drain(String nodeId) {
    draining.add(nodeId);
    NodeSession session = sessions.get(nodeId);
    if (session != null) {
      session.drain();
    }
  }

  /** The version being pushed, 0 before the first publish. */
  public long latestVersion() {
    PublishedSnapshot s = latest;
    return s == null ? 0 : s.version();
  }

  /** Number of nodes with a stream on this replica (after their hello). */
  public int connectedNodes() {
    return sessions.size();
  }

  /**
   * Ends every node's stream, so nodes fail over to another replica at once rather than when their
   * keep-alive notices. Used on shutdown.
   */
  public void disconnectAll(String why) {
    for (NodeSession session : sessions.values()) {
      session.end(NodeLink.End.SHUTDOWN, why);
    }
  }

  /** How nodes are heartbeaten, timed out and rebalanced from now on. */
  public void liveness(LivenessSettings settings) {
    liveness = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Sends every node a heartbeat and ends the streams of nodes that stopped answering them. Called
   * every {@link LivenessSettings#heartbeatInterval}, from one thread.
   */
  public void heartbeat() {
    LivenessSettings settings = liveness;
    for (NodeSession session : sessions.values()) {
      session.heartbeat(settings);
    }
  }

  /**
   * Number of nodes this replica holds for rebalancing: those with a stream here that were not
   * already asked to move. A node asked to move keeps its stream until it has connected elsewhere,
   * and counting it again would move a second node in its place.
   */
  public int heldNodes() {
    int held = 0;
    for (NodeSession session : sessions.values()) {
      if (!session.askedToMove()) {
        held++;
      }
    }
    return held;
  }

  /**
   * Asks up to {@code count} nodes, picked at random among those not waiting to answer a push, not
   * draining and not asked before, to move to another replica.
   *
   * @return how many were asked
   */
  public int moveAway(int count, String reason, RandomGenerator random) {
    List<NodeSession> candidates = new ArrayList<>(sessions.values());
    int asked = 0;
    while (asked < count && !candidates.isEmpty()) {
      NodeSession s = candidates.remove(random.nextInt(candidates.size()));
      if (s.moveAway(reason)) {
        asked++;
      }
    }
    return asked;
  }

  /**
   * A session for a stream that just opened from {@code peer} with {@code credential}; it joins the
   * fleet at a hello the credential permits.
   */
  NodeSession open(String peer, NodeCredential credential, NodeLink link) {
    return new NodeSession(this, replica, peer, credential, link);
  }

  // --- what sessions share ---

  PublishedSnapshot latest() {
    return latest;
  }

  LivenessSettings liveness() {
    return liveness;
  }

  String nextNonce() {
    return replicaId + "-" + nonces.incrementAndGet();
  }

  void pushSent() {
    unanswered.incrementAndGet();
  }

  /**
   * A push was answered or its stream ended. A session calls this after its status callback, so
   * whoever brings the count to zero tells the callbacks after every answer's status.
   */
  void pushAnswered() {
    if (unanswered.decrementAndGet() == 0) {
      replica.callbacks().pushesAnswered();
    }
  }

  boolean drainRequested(String nodeId) {
    return draining.contains(nodeId);
  }

  long refusedVersion(String nodeId) {
    return refused.getOrDefault(nodeId, 0L);
  }

  void refused(String nodeId, long version) {
    refused.merge(nodeId, version, Math::max);
  }

  /** Forgets that {@code nodeId} refused {@code version} (and newer ones); false if it did not. */
  boolean forgetRefusal(String nodeId, long version) {
    Long highest = refused.get(nodeId);
    return highest != null && highest >= version && refused.remove(nodeId, highest);
  }

  /**
   * An operator asked to push {@code version} once more to {@code nodeId}, which refused it
   * (wharfctl rollout retry): done if the node's stream is on this replica. Called from the store's
   * retry watch.
   *
   * @return whether the node is here and had refused it
   */
  public boolean retry(String nodeId, long version) {
    NodeSession session = sessions.get(nodeId);
    return session != null && session.retry(version);
  }

  /** Registers a session after its hello; a previous session of the same node is ended. */
  void register(String nodeId, NodeSession session) {
    NodeSession previous = sessions.put(nodeId, session);
    if (previous != null && previous != session) {
      previous.replaced();
    }
  }

  /** Forgets a session that ended; false when a newer one of the node already replaced it. */
  boolean unregister(String nodeId, NodeSession session) {
    boolean removed = sessions.remove(nodeId, session);
    if (removed) {
      draining.remove(nodeId); // a node that comes back later starts afresh
    }
    return removed;
  }
}
