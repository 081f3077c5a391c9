package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Drain;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A data-plane node reduced to its discovery stream: the test decides every message it sends
 * (hello, ack, nack, health) and reads what the control plane pushed (snapshots, drain requests).
 * Thread-safe: the stream's callbacks only fill queues; sends are serialized.
 */
public final class FakeDiscoveryNode implements AutoCloseable {
  /** How long {@link #nextPush()}, {@link #nextDrain()} and {@link #endStatus()} wait. */
  public static final Duration WAIT = Duration.ofSeconds(15);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final BlockingQueue<Snapshot> pushed = new LinkedBlockingQueue<>();
  private final BlockingQueue<Drain> drains = new LinkedBlockingQueue<>();
  private final BlockingQueue<ControlMessage> liveness = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final StreamObserver<NodeMessage> requests;

  /** Opens the stream without a token and says nothing yet (see {@link #hello}). */
  public FakeDiscoveryNode(Channel channel) {
    DiscoveryGrpc.DiscoveryStub stub = DiscoveryGrpc.newStub(channel);
    requests = stub.stream(new Receiver());
  }

  /** Opens the stream with {@code token} (null: none) and says hello as {@code nodeId}. */
  public FakeDiscoveryNode(Channel channel, String token, String nodeId) {
    this(channel, token, nodeId, Map.of("zone", "test"));
  }

  /** The same, with these labels in the hello (so a test can tell two nodes of one id apart). */
  public FakeDiscoveryNode(
      Channel channel, String token, String nodeId, Map<String, String> labels) {
    this(channel, token, Hello.newBuilder().setNodeId(nodeId).putAllLabels(labels).build());
  }

  /** Opens the stream with {@code token} (null: none) and says this hello. */
  public FakeDiscoveryNode(Channel channel, String token, Hello hello) {
    DiscoveryGrpc.DiscoveryStub stub = DiscoveryGrpc.newStub(channel);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    requests = stub.stream(new Receiver());
    send(NodeMessage.newBuilder().setHello(hello).build());
  }

  /** Says hello as {@code nodeId}, reporting it runs {@code version}. */
  public FakeDiscoveryNode hello(String nodeId, long version) {
    send(
        NodeMessage.newBuilder()
            .setHello(
                Hello.newBuilder().setNodeId(nodeId).putLabels("zone", "test").setVersion(version))
            .build());
    return this;
  }

  public void ack(Snapshot s) {
    ack(s.getVersion(), s.getNonce());
  }

  public void ack(long version, String nonce) {
    send(
        NodeMessage.newBuilder()
            .setAck(Ack.newBuilder().setVersion(version).setNonce(nonce))
            .build());
  }

  public void nack(Snapshot s, String reason) {
    send(
        NodeMessage.newBuilder()
            .setNack(
                Nack.newBuilder()
                    .setVersion(s.getVersion())
                    .setNonce(s.getNonce())
                    .setReason(reason))
            .build());
  }

  /** Reports endpoint health: triples of upstream, address, healthy. */
  public void health(Object... upstreamAddressHealthy) {
    HealthReport.Builder report = HealthReport.newBuilder();
    for (int i = 0; i < upstreamAddressHealthy.length; i += 3) {
      report.addEndpoints(
          EndpointHealthState.newBuilder()
              .setUpstream((String) upstreamAddressHealthy[i])
              .setAddress((String) upstreamAddressHealthy[i + 1])
              .setHealthy((Boolean) upstreamAddressHealthy[i + 2]));
    }
    send(NodeMessage.newBuilder().setHealth(report).build());
  }

  public synchronized void send(NodeMessage m) {
    requests.onNext(m);
  }

  /** The next snapshot pushed to this node; fails when none comes within {@link #WAIT}. */
  public Snapshot nextPush() throws InterruptedException {
    Snapshot s = pushed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(s, "no snapshot pushed within " + WAIT + "; stream ended: " + ended.getNow(null));
    return s;
  }

  /** The next drain request sent to this node; fails when none comes within {@link #WAIT}. */
  public Drain nextDrain() throws InterruptedException {
    Drain d = drains.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(d, "no drain request within " + WAIT + "; stream ended: " + ended.getNow(null));
    return d;
  }

  /** The next heartbeat or move request sent to this node. */
  public ControlMessage nextLiveness() throws InterruptedException {
    ControlMessage m = liveness.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(m, "no heartbeat or move request within " + WAIT);
    return m;
  }

  /** Heartbeats and move requests received and not yet taken. */
  public List<ControlMessage> unreadLiveness() {
    List<ControlMessage> out = new ArrayList<>();
    liveness.drainTo(out);
    return out;
  }

  /** Answers a heartbeat, as a node does. */
  public void heartbeat() {
    send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
  }

  /** Snapshots received and not yet taken. */
  public int unread() {
    return pushed.size();
  }

  /** Whether the control plane ended the stream already. */
  public boolean ended() {
    return ended.isDone();
  }

  /** How the control plane ended the stream; fails when it does not within {@link #WAIT}. */
  public Status endStatus() throws Exception {
    return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (!ended.isDone()) {
      requests.onCompleted();
    }
  }

  private final class Receiver implements StreamObserver<ControlMessage> {
    @Override
    public void onNext(ControlMessage m) {
      if (m.hasDrain()) {
        drains.add(m.getDrain());
      } else if (m.hasHeartbeat() || m.hasMoveAway()) {
        liveness.add(m);
      } else if (m.hasSnapshot()) {
        pushed.add(m.getSnapshot());
      }
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }
  }
}
