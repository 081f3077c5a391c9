package dev.wharf.controlplane.discovery;

import com.google.protobuf.Timestamp;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.Drain;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's discovery stream on this replica, and the protocol's rules for it:
 *
 * <ul>
 *   <li>the first message is a hello; nothing is pushed before it;
 *   <li>the hello's node id must be one the stream's credential is for ({@link NodeCredential}); a
 *       stream claiming another is ended with PERMISSION_DENIED before it joins the fleet, so it
 *       never replaces the live stream of the node it claims;
 *   <li>at most one push is unanswered; versions published meanwhile wait, and only the latest of
 *       them is pushed once the answer comes;
 *   <li>a version equal to the one the node runs is never pushed;
 *   <li>a version the node refused is never pushed to it again (the next newer one is);
 *   <li>an ACK or NACK that does not match the push in flight (version and nonce) is ignored.
 * </ul>
 *
 * <p>Threading, as {@link DiscoveryState} says: every method is {@code synchronized}, and
 * everything about this node happens under that lock, writes to its {@link NodeLink} included (so
 * they never interleave). Nothing here blocks.
 */
final class NodeSession {
  private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

  private final DiscoveryState fleet;
  private final Replica replica;
  private final NodeLink link;
  private final String peer;
  private final NodeCredential credential;

  private NodeStatus status; // null until the hello
  private InFlight inFlight;
  private long suppressedVersion;
  private boolean ended;
  private boolean askedToMove; // the node is on its way to another replica
  private final NodeLiveness liveness;

  /** What every session of one replica shares and never changes. */
  record Replica(
      String id,
      DiscoveryCallbacks callbacks,
      DiscoveryMetrics metrics,
      Clock clock,
      LongSupplier nanoTime) {}

  private record InFlight(long version, String nonce, long sentNanos) {}

  NodeSession(
      DiscoveryState fleet,
      Replica replica,
      String peer,
      NodeCredential credential,
      NodeLink link) {
    this.fleet = fleet;
    this.replica = replica;
    this.peer = peer;
    this.credential = credential;
    this.link = link;
    this.liveness = new NodeLiveness(replica.nanoTime().getAsLong());
  }

  synchronized void received(NodeMessage message) {
    if (ended) {
      return;
    }
    liveness.heard(message, replica.nanoTime().getAsLong());
    switch (message.getKindCase()) {
      case HEARTBEAT -> {} // liveness only
      case HELLO -> hello(message.getHello());
      case ACK -> ack(message.getAck());
      case NACK -> nack(message.getNack());
      case HEALTH -> health(message.getHealth());
      case DRAIN_PROGRESS -> drainProgress(message.getDrainProgress());
      default -> end(NodeLink.End.MALFORMED, "empty node message");
    }
  }

  private void hello(Hello hello) {
    if (status != null) {
      end(NodeLink.End.MALFORMED, "hello sent twice on one stream");
      return;
    }
    if (hello.getNodeId().isBlank()) {
      end(NodeLink.End.MALFORMED, "hello.node_id is empty");
      return;
    }
    if (!admits(hello.getNodeId())) {
      return;
    }
    Timestamp now = now();
    for (long v : hello.getRefusedVersionsList()) {
      if (v > hello.getVersion()) { // refused on another replica, or before a restart
        fleet.refused(hello.getNodeId(), v);
      }
    }
    long refused = fleet.refusedVersion(hello.getNodeId());
    NodeStatus.Builder b =
        NodeStatus.newBuilder()
            .setNodeId(hello.getNodeId())
            .putAllLabels(hello.getLabelsMap())
            .setReplica(replica.id())
            .setPeer(peer)
            .setConnectedSince(now)
            .setAckedVersion(hello.getVersion())
            .setConnection(NodeConnection.NODE_CONNECTION_CONNECTED)
            .setUpdatedAt(now);
    if (refused > 0) {
      b.setLastNackVersion(refused)
          .setLastNackReason(RefusalList.EARLIER)
          .addAllRefusedVersions(RefusalList.of(hello, refused));
    }
    status = b.build();
    log.info(
        "node {} connected from {} running version {}",
        status.getNodeId(),
        peer,
        hello.getVersion());
    fleet.register(status.getNodeId(), this);
    replica.callbacks().statusChanged(status);
    heartbeat(fleet.liveness());
    if (fleet.drainRequested(status.getNodeId())) {
      drain();
      return;
    }
    offer();
  }

  /**
   * Whether the credential may claim {@code nodeId}: the one check of a node's identity. A refused
   * stream is ended here, before it registers, so it never replaces a live one.
   */
  private boolean admits(String nodeId) {
    String refusal = HelloAdmission.refusal(credential, nodeId, peer, replica.metrics());
    if (refusal != null) {
      end(NodeLink.End.NOT_THIS_NODE, refusal);
      return false;
    }
    return true;
  }

  private void ack(Ack ack) {
    if (!answersInFlight(ack.getVersion(), ack.getNonce(), "ACK")) {
      return;
    }
    replica.metrics().acked(replica.nanoTime().getAsLong() - inFlight.sentNanos());
    inFlight = null;
    status = RefusalList.applied(status.toBuilder(), ack.getVersion()).setUpdatedAt(now()).build();
    replica.callbacks().statusChanged(status);
    offer();
    fleet.pushAnswered(); // after offer: a node pushed its next version keeps the count above 0
  }

  private void nack(Nack nack) {
    if (!answersInFlight(nack.getVersion(), nack.getNonce(), "NACK")) {
      return;
    }
    replica.metrics().nacked();
    inFlight = null;
    String reason = RefusalList.reason(nack);
    log.warn(
        "node {} refused version {}, keeps version {}: {}",
        status.getNodeId(),
        nack.getVersion(),
        status.getAckedVersion(),
        reason);
    fleet.refused(status.getNodeId(), nack.getVersion());
    NodeStatus.Builder refusing = status.toBuilder();
    if (!refusing.getRefusedVersionsList().contains(nack.getVersion())) {
      refusing.addRefusedVersions(nack.getVersion());
    }
    status =
        refusing
            .setLastNackVersion(nack.getVersion())
            .setLastNackReason(reason)
            .setUpdatedAt(now())
            .build();
    replica.callbacks().statusChanged(status);
    offer();
    fleet.pushAnswered();
  }

  private void health(HealthReport report) {
    if (status == null) {
      end(NodeLink.End.BEFORE_HELLO, "the first message must be a hello");
      return;
    }
    status =
        status.toBuilder()
            .clearEndpoints()
            .addAllEndpoints(report.getEndpointsList())
            .setUpdatedAt(now())
            .build();
    replica.callbacks().statusChanged(status);
  }

  /**
   * The node drains (asked through any replica, or on SIGTERM) and says how far it is: it shows as
   * draining, with these numbers, until its stream ends.
   */
  private void drainProgress(DrainProgress progress) {
    if (status == null) {
      end(NodeLink.End.BEFORE_HELLO, "the first message must be a hello");
      return;
    }
    status =
        status.toBuilder().setDraining(true).setDrainProgress(progress).setUpdatedAt(now()).build();
    replica.callbacks().statusChanged(status);
  }

  private boolean answersInFlight(long version, String nonce, String kind) {
    if (status == null) {
      end(NodeLink.End.BEFORE_HELLO, "the first message must be a hello");
      return false;
    }
    if (inFlight == null || inFlight.version() != version || !inFlight.nonce().equals(nonce)) {
      replica.metrics().staleAnswer();
      log.debug(
          "node {}: ignoring {} of version {} nonce {}: it answers no push in flight",
          status.getNodeId(),
          kind,
          version,
          nonce);
      return false;
    }
    return true;
  }

  /** Pushes the latest published version if the rules allow it now. */
  synchronized void offer() {
    PublishedSnapshot latest = fleet.latest();
    if (ended || status == null || inFlight != null || latest == null) {
      return;
    }
    long version = latest.version();
    if (version == status.getAckedVersion()) {
      if (suppressedVersion != version) {
        suppressedVersion = version;
        replica.metrics().suppressed();
      }
      return;
    }
    if (version <= fleet.refusedVersion(status.getNodeId())) {
      return;
    }
    String nonce = fleet.nextNonce();
    inFlight = new InFlight(version, nonce, replica.nanoTime().getAsLong());
    fleet.pushSent();
    link.sendEncoded(SnapshotPush.encode(latest, nonce));
    replica.metrics().pushed();
  }

  /**
   * An operator asked to push {@code version}, which this node refused, once more (wharfctl rollout
   * retry): the refusal is forgotten here and the latest version offered; a new NACK is remembered
   * as any other. Nothing happens when the node did not refuse it.
   */
  synchronized boolean retry(long version) {
    if (ended || status == null || !fleet.forgetRefusal(status.getNodeId(), version)) {
      return false;
    }
    log.warn("pushing version {} to node {} once more, as an operator asked", version, nodeId());
    offer();
    return true;
  }

  /** Tells the node to drain; it stops, and its stream ends with it. */
  synchronized void drain() {
    if (ended || status == null) {
      return;
    }
    log.warn("asking node {} to drain", status.getNodeId());
    status = status.toBuilder().setDraining(true).setUpdatedAt(now()).build();
    replica.callbacks().statusChanged(status);
    link.send(
        ControlMessage.newBuilder()
            .setDrain(Drain.newBuilder().setRequestedBy("an operator (wharfctl drain)"))
            .build());
  }

  /**
   * Sends the node a heartbeat, or ends its stream if it answered heartbeats before and then sent
   * nothing for the node timeout (it hung: its status must not say connected).
   */
  synchronized void heartbeat(LivenessSettings settings) {
    if (ended || status == null) {
      return;
    }
    long silent = liveness.silentMillis(replica.nanoTime().getAsLong(), settings.nodeTimeout());
    if (silent >= 0) {
      String why = "the node did not answer for " + silent + " ms";
      log.warn("node {} at {}: {}; ending its stream", status.getNodeId(), peer, why);
      replica.metrics().silentNode();
      end(NodeLink.End.SILENT, why);
      return;
    }
    link.send(NodeLiveness.heartbeat(settings));
  }

  /**
   * Asks the node to move to another replica (rebalancing), unless a push waits for its answer or
   * it drains: a node is never moved in the middle of a push.
   *
   * @return whether the node was asked
   */
  synchronized boolean moveAway(String reason) {
    if (ended || askedToMove || status == null || inFlight != null || status.getDraining()) {
      return false;
    }
    askedToMove = true;
    log.info("asking node {} to move to another replica: {}", status.getNodeId(), reason);
    replica.metrics().movedNode();
    link.send(NodeLiveness.moveAway(reason));
    return true;
  }

  /** Whether this replica asked the node to move; it still has its stream until it leaves. */
  synchronized boolean askedToMove() {
    return askedToMove;
  }

  /** Ends the stream with an error (a bad message, shutdown) and forgets the node. */
  synchronized void end(NodeLink.End end, String description) {
    if (ended) {
      return;
    }
    leave();
    link.end(end, description);
  }

  /** The same node opened a newer stream on this replica; this one is dead or about to be. */
  synchronized void replaced() {
    if (ended) {
      return;
    }
    ended = true;
    giveUpInFlight();
    link.end(NodeLink.End.REPLACED, "replaced by a newer stream from the same node");
  }

  /** The stream broke (the node went away, or its transport failed) with {@code why}. */
  synchronized void disconnected(String why) {
    if (!ended) {
      log.info("node {} disconnected: {}", nodeId(), why);
      leave();
    }
  }

  /** The node closed its side of the stream. */
  synchronized void closedByNode() {
    if (!ended) {
      log.info("node {} closed its stream", nodeId());
      leave();
      link.complete();
    }
  }

  private void leave() {
    ended = true;
    if (status != null && fleet.unregister(status.getNodeId(), this)) {
      replica.callbacks().disconnected(status.getNodeId());
    }
    giveUpInFlight();
  }

  /** A push that will never be answered no longer counts as one the fleet waits for. */
  private void giveUpInFlight() {
    if (inFlight != null) {
      inFlight = null;
      fleet.pushAnswered();
    }
  }

  private String nodeId() {
    return status == null ? "(before hello) at " + peer : status.getNodeId();
  }

  private Timestamp now() {
    Instant t = replica.clock().instant();
    return Timestamps.toProto(t);
  }
}
