package dev.wharf.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.HealthReport;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A node reduced to its discovery stream, with a token: the test decides what it answers. */
final class RawNode implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  private final BlockingQueue<Snapshot> pushed = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final StreamObserver<NodeMessage> requests;

  /** Opens the stream with {@code token} (null: none) and says hello as {@code nodeId}. */
  RawNode(Channel channel, String token, String nodeId) {
    this(channel, token, nodeId, Map.of("zone", "test"));
  }

  /** The same, with these labels in the hello (so a test can tell two nodes of one id apart). */
  RawNode(Channel channel, String token, String nodeId, Map<String, String> labels) {
    this(channel, token, Hello.newBuilder().setNodeId(nodeId).putAllLabels(labels).build());
  }

  /** Opens the stream with {@code token} (null: none) and says this hello. */
  RawNode(Channel channel, String token, Hello hello) {
    DiscoveryGrpc.DiscoveryStub stub = DiscoveryGrpc.newStub(channel);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AdminClients.AUTHORIZATION, "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    requests =
        stub.stream(
            new StreamObserver<>() {
              @Override
              public void onNext(ControlMessage m) {
                if (m.hasSnapshot()) {
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
            });
    send(NodeMessage.newBuilder().setHello(hello).build());
  }

  /** The next snapshot pushed; fails when none comes within {@link #WAIT}. */
  Snapshot nextPush() throws InterruptedException {
    Snapshot s = pushed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(s, "no snapshot pushed within " + WAIT + "; stream ended: " + ended.getNow(null));
    return s;
  }

  void ack(Snapshot s) {
    send(
        NodeMessage.newBuilder()
            .setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce()))
            .build());
  }

  void nack(Snapshot s, String reason) {
    send(
        NodeMessage.newBuilder()
            .setNack(
                Nack.newBuilder()
                    .setVersion(s.getVersion())
                    .setNonce(s.getNonce())
                    .setReason(reason))
            .build());
  }

  /** Whether the replica ended the stream already. */
  boolean ended() {
    return ended.isDone();
  }

  /** How the replica ended the stream. */
  Status endStatus() throws Exception {
    return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reports endpoint health: triples of upstream, address, healthy. */
  void health(Object... upstreamAddressHealthy) {
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

  private synchronized void send(NodeMessage m) {
    requests.onNext(m);
  }

  @Override
  public synchronized void close() {
    if (!ended.isDone()) {
      requests.onCompleted();
    }
  }
}
