package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Drain;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.MoveAway;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.TestCertificates;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted control plane for the node's tests: records what nodes send (in a queue the test
 * polls, so nothing sleeps) and pushes the snapshots the test tells it to, on the latest stream.
 */
final class FakeControlPlane extends DiscoveryGrpc.DiscoveryImplBase implements AutoCloseable {
  static final long WAIT_SECONDS = 10;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** What a node dials: the in-process name, or {@code 127.0.0.1:PORT}. */
  final String target;

  private final Server server;
  private final BlockingQueue<NodeMessage> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> authorizations = new LinkedBlockingQueue<>();
  private StreamObserver<ControlMessage> current; // guarded by this

  private FakeControlPlane(ServerBuilder<?> builder, String name) throws IOException {
    this.server =
        builder
            .addService(ServerInterceptors.intercept(this, new RecordAuthorization()))
            .build()
            .start();
    this.target = name != null ? name : "127.0.0.1:" + server.getPort();
  }

  /** An in-process control plane reachable as target {@code name}. */
  static FakeControlPlane inProcess(String name) throws IOException {
    return new FakeControlPlane(InProcessServerBuilder.forName(name), name);
  }

  /** A control plane on a real loopback port, over gRPC's shaded Netty transport. */
  static FakeControlPlane tcp() throws IOException {
    return new FakeControlPlane(loopback(), null);
  }

  /**
   * What a real control plane must allow too: the node pings every 30 s, and gRPC servers by
   * default answer pings more frequent than every 5 minutes with GOAWAY (too_many_pings).
   */
  private static NettyServerBuilder loopback() {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .permitKeepAliveTime(ChannelFactory.KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
  }

  /** A control plane on a real loopback port that speaks TLS only, with this certificate. */
  static FakeControlPlane tls(TestCertificates certs) throws IOException {
    return new FakeControlPlane(
        loopback()
            .sslContext(
                GrpcSslContexts.forServer(certs.certificate().toFile(), certs.privateKey().toFile())
                    .build()),
        null);
  }

  @Override
  public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> responses) {
    synchronized (this) {
      current = responses;
    }
    return new StreamObserver<>() {
      @Override
      public void onNext(NodeMessage message) {
        received.add(message);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  /** Pushes a snapshot on the latest stream. */
  synchronized void push(long version, String nonce, Config config) {
    assertNotNull(current, "no node has connected to " + target);
    current.onNext(
        ControlMessage.newBuilder()
            .setSnapshot(
                Snapshot.newBuilder().setVersion(version).setNonce(nonce).setConfig(config))
            .build());
  }

  /** Sends a heartbeat on the latest stream, as a replica does every second. */
  synchronized void heartbeat() {
    assertNotNull(current, "no node has connected to " + target);
    current.onNext(
        ControlMessage.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setIntervalMillis(1000))
            .build());
  }

  /** Asks the node on the latest stream to move to its next replica. */
  synchronized void moveAway(String reason) {
    assertNotNull(current, "no node has connected to " + target);
    current.onNext(
        ControlMessage.newBuilder().setMoveAway(MoveAway.newBuilder().setReason(reason)).build());
  }

  /** Asks the node on the latest stream to drain. */
  synchronized void drain(String requestedBy) {
    assertNotNull(current, "no node has connected to " + target);
    current.onNext(
        ControlMessage.newBuilder()
            .setDrain(Drain.newBuilder().setRequestedBy(requestedBy))
            .build());
  }

  /** The next message a node sent; fails after a bound. */
  NodeMessage next() throws InterruptedException {
    NodeMessage m = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(m, target + ": no message from the node within " + WAIT_SECONDS + " s");
    return m;
  }

  Hello nextHello() throws InterruptedException {
    return expect(NodeMessage.KindCase.HELLO).getHello();
  }

  Ack nextAck() throws InterruptedException {
    return expect(NodeMessage.KindCase.ACK).getAck();
  }

  HealthReport nextHealth() throws InterruptedException {
    return expect(NodeMessage.KindCase.HEALTH).getHealth();
  }

  DrainProgress nextDrainProgress() throws InterruptedException {
    return expect(NodeMessage.KindCase.DRAIN_PROGRESS).getDrainProgress();
  }

  /** What the node sent that the test has not read yet, without waiting. */
  List<NodeMessage> unread() {
    List<NodeMessage> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  Nack nextNack() throws InterruptedException {
    return expect(NodeMessage.KindCase.NACK).getNack();
  }

  private NodeMessage expect(NodeMessage.KindCase kind) throws InterruptedException {
    NodeMessage m = next();
    assertEquals(kind, m.getKindCase(), "expected a " + kind + ", got " + m);
    return m;
  }

  /** The authorization header of the next stream that opened ("" when there was none). */
  String nextAuthorization() throws InterruptedException {
    String a = authorizations.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(a, target + ": no stream within " + WAIT_SECONDS + " s");
    return a;
  }

  /** Ends every stream abruptly and stops answering, like a replica that died. */
  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class RecordAuthorization implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String auth = headers.get(AUTHORIZATION);
      authorizations.add(auth == null ? "" : auth);
      return next.startCall(call, headers);
    }
  }
}
