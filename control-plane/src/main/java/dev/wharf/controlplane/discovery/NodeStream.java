package dev.wharf.controlplane.discovery;

import com.google.protobuf.Timestamp;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.Drain;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's discovery stream on this replica, and the protocol's rules for it:
 *
 * <ul>
 *   <li>the first message is a hello; nothing is pushed before it;
 *   <li>at most one push is unanswered; versions published meanwhile wait, and only the latest
 *       of them is pushed once the answer comes;
 *   <li>a version equal to the one the node runs is never pushed;
 *   <li>a version the node refused is never pushed to it again (the next newer one is);
 *   <li>an ACK or NACK that does not match the push in flight (version and nonce) is ignored.
 * </ul>
 *
 * <p>Threading: gRPC delivers the node's messages in order, while {@link #offer()} comes from the
 * publishing thread; every method that touches state or writes to the stream is
 * {@code synchronized}, which also serializes writes to the response observer (gRPC observers
 * are not thread-safe). Nothing here blocks.
 */
final class NodeStream implements StreamObserver<NodeMessage> {
  private static final Logger log = LoggerFactory.getLogger(NodeStream.class);
  /** Reasons are stored per node and shown in fleet views; a validator report fits. */
  private static final int MAX_REASON_CHARS = 4096;

  private final DiscoveryService service;
  private final ServerCallStreamObserver<ControlMessage> out;
  private final String peer;

  private NodeStatus status; // null until the hello
  private InFlight inFlight;
  private long suppressedVersion;
  private boolean ended;

  private record InFlight(long version, String nonce, long sentNanos) {}

  NodeStream(DiscoveryService service, ServerCallStreamObserver<ControlMessage> out) {
    this.service = service;
    this.out = out;
    this.peer = PeerAddress.current();
  }

  @Override
  public synchronized void onNext(NodeMessage message) {
    if (ended) {
      return;
    }
    switch (message.getKindCase()) {
      case HELLO -> hello(message.getHello());
      case ACK -> ack(message.getAck());
      case NACK -> nack(message.getNack());
      case HEALTH -> health(message.getHealth());
      default -> fail(Status.INVALID_ARGUMENT.withDescription("empty node message"));
    }
  }

  private void hello(Hello hello) {
    if (status != null) {
      fail(Status.INVALID_ARGUMENT.withDescription("hello sent twice on one stream"));
      return;
    }
    if (hello.getNodeId().isBlank()) {
      fail(Status.INVALID_ARGUMENT.withDescription("hello.node_id is empty"));
      return;
    }
    Timestamp now = now();
    long refused = service.refusedVersion(hello.getNodeId());
    NodeStatus.Builder b = NodeStatus.newBuilder()
        .setNodeId(hello.getNodeId())
        .putAllLabels(hello.getLabelsMap())
        .setReplica(service.replicaId())
        .setPeer(peer)
        .setConnectedSince(now)
        .setAckedVersion(hello.getVersion())
        .setUpdatedAt(now);
    if (refused > 0) {
      b.setLastNackVersion(refused);
    }
    status = b.build();
    log.info("node {} connected from {} running version {}", status.getNodeId(), peer,
        hello.getVersion());
    service.register(status.getNodeId(), this);
    service.callbacks().statusChanged(status);
    if (service.drainRequested(status.getNodeId())) {
      drain();
      return;
    }
    offer();
  }

  private void ack(Ack ack) {
    if (!answersInFlight(ack.getVersion(), ack.getNonce(), "ACK")) {
      return;
    }
    service.metrics().acked(service.nanoTime() - inFlight.sentNanos());
    inFlight = null;
    status = status.toBuilder().setAckedVersion(ack.getVersion()).setUpdatedAt(now()).build();
    service.callbacks().statusChanged(status);
    offer();
  }

  private void nack(Nack nack) {
    if (!answersInFlight(nack.getVersion(), nack.getNonce(), "NACK")) {
      return;
    }
    service.metrics().nacked();
    inFlight = null;
    String reason = nack.getReason().length() > MAX_REASON_CHARS
        ? nack.getReason().substring(0, MAX_REASON_CHARS) + "..."
        : nack.getReason();
    log.warn("node {} refused version {}, keeps version {}: {}", status.getNodeId(),
        nack.getVersion(), status.getAckedVersion(), reason);
    service.refused(status.getNodeId(), nack.getVersion());
    status = status.toBuilder()
        .setLastNackVersion(nack.getVersion())
        .setLastNackReason(reason)
        .setUpdatedAt(now())
        .build();
    service.callbacks().statusChanged(status);
    offer();
  }

  private void health(HealthReport report) {
    if (status == null) {
      fail(Status.FAILED_PRECONDITION.withDescription("the first message must be a hello"));
      return;
    }
    status = status.toBuilder()
        .clearEndpoints()
        .addAllEndpoints(report.getEndpointsList())
        .setUpdatedAt(now())
        .build();
    service.callbacks().statusChanged(status);
  }

  private boolean answersInFlight(long version, String nonce, String kind) {
    if (status == null) {
      fail(Status.FAILED_PRECONDITION.withDescription("the first message must be a hello"));
      return false;
    }
    if (inFlight == null || inFlight.version() != version || !inFlight.nonce().equals(nonce)) {
      service.metrics().staleAnswer();
      log.debug("node {}: ignoring {} of version {} nonce {}: it answers no push in flight",
          status.getNodeId(), kind, version, nonce);
      return false;
    }
    return true;
  }

  /** Pushes the latest published version if the rules allow it now. */
  synchronized void offer() {
    PublishedSnapshot latest = service.latest();
    if (ended || status == null || inFlight != null || latest == null) {
      return;
    }
    long version = latest.version();
    if (version == status.getAckedVersion()) {
      if (suppressedVersion != version) {
        suppressedVersion = version;
        service.metrics().suppressed();
      }
      return;
    }
    if (version <= service.refusedVersion(status.getNodeId())) {
      return;
    }
    String nonce = service.nextNonce();
    inFlight = new InFlight(version, nonce, service.nanoTime());
    out.onNext(ControlMessage.newBuilder()
        .setSnapshot(Snapshot.newBuilder()
            .setVersion(version)
            .setNonce(nonce)
            .setConfig(latest.config()))
        .build());
    service.metrics().pushed();
  }

  /** Tells the node to drain; it stops, and its stream ends with it. */
  synchronized void drain() {
    if (ended || status == null) {
      return;
    }
    log.warn("asking node {} to drain", status.getNodeId());
    out.onNext(ControlMessage.newBuilder()
        .setDrain(Drain.newBuilder().setRequestedBy("an operator (wharfctl drain)"))
        .build());
  }

  /** Ends the stream with an error status (bad message, shutdown). */
  synchronized void fail(Status why) {
    if (ended) {
      return;
    }
    end();
    out.onError(why.asRuntimeException());
  }

  /** The same node opened a newer stream on this replica; this one is dead or about to be. */
  synchronized void replaced() {
    if (ended) {
      return;
    }
    ended = true;
    out.onError(Status.ALREADY_EXISTS
        .withDescription("replaced by a newer stream from the same node").asRuntimeException());
  }

  @Override
  public synchronized void onError(Throwable t) {
    if (!ended) {
      log.info("node {} disconnected: {}", nodeId(), Status.fromThrowable(t));
      end();
    }
  }

  @Override
  public synchronized void onCompleted() {
    if (!ended) {
      log.info("node {} closed its stream", nodeId());
      end();
      out.onCompleted();
    }
  }

  private void end() {
    ended = true;
    if (status != null && service.unregister(status.getNodeId(), this)) {
      service.callbacks().disconnected(status.getNodeId());
    }
  }

  private String nodeId() {
    return status == null ? "(before hello) at " + peer : status.getNodeId();
  }

  private Timestamp now() {
    Instant t = service.clock().instant();
    return dev.wharf.config.Timestamps.toProto(t);
  }
}
