package dev.wharf.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Drain;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A node reduced to its discovery stream: the test decides every message it sends. */
final class FakeNode implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final BlockingQueue<Snapshot> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<Drain> drains = new LinkedBlockingQueue<>();
  private final BlockingQueue<ControlMessage> liveness = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final StreamObserver<NodeMessage> requests;

  FakeNode(Channel channel) {
    requests =
        DiscoveryGrpc.newStub(channel).stream(
            new StreamObserver<>() {
              @Override
              public void onNext(ControlMessage m) {
                if (m.hasDrain()) {
                  drains.add(m.getDrain());
                } else if (m.hasHeartbeat() || m.hasMoveAway()) {
                  liveness.add(m);
                } else {
                  received.add(m.getSnapshot());
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
  }

  FakeNode hello(String nodeId, long version) {
    send(
        NodeMessage.newBuilder()
            .setHello(
                Hello.newBuilder().setNodeId(nodeId).putLabels("zone", "test").setVersion(version))
            .build());
    return this;
  }

  void ack(Snapshot s) {
    ack(s.getVersion(), s.getNonce());
  }

  void ack(long version, String nonce) {
    send(
        NodeMessage.newBuilder()
            .setAck(Ack.newBuilder().setVersion(version).setNonce(nonce))
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

  synchronized void send(NodeMessage m) {
    requests.onNext(m);
  }

  /** The next snapshot pushed to this node; fails when none comes within the bound. */
  Snapshot nextPush() throws InterruptedException {
    Snapshot s = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(s, "no snapshot pushed within " + WAIT);
    return s;
  }

  /** The next drain request sent to this node. */
  Drain nextDrain() throws InterruptedException {
    Drain d = drains.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(d, "no drain request within " + WAIT);
    return d;
  }

  /** The next heartbeat or move request sent to this node. */
  ControlMessage nextLiveness() throws InterruptedException {
    ControlMessage m = liveness.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(m, "no heartbeat or move request within " + WAIT);
    return m;
  }

  /** Heartbeats and move requests received and not yet taken. */
  List<ControlMessage> unreadLiveness() {
    List<ControlMessage> out = new ArrayList<>();
    liveness.drainTo(out);
    return out;
  }

  /** Answers a heartbeat, as a node does. */
  void heartbeat() {
    send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
  }

  /** Snapshots received and not yet taken. */
  int unread() {
    return received.size();
  }

  /** How the control plane ended the stream. */
  Status endStatus() throws Exception {
    return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (!ended.isDone()) {
      requests.onCompleted();
    }
  }
}
