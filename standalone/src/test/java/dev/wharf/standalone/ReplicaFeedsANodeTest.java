package dev.wharf.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.dataplane.discovery.ChannelFactory;
import dev.wharf.dataplane.discovery.ConfigSink;
import dev.wharf.dataplane.discovery.DiscoveryClient;
import dev.wharf.dataplane.discovery.SnapshotFile;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.dataplane.testing.FreshListenerPorts;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica over real TLS on loopback, with a token, feeding a real node through the real discovery
 * client: what a node operator sets up, end to end but in one JVM. It lives here, where both planes
 * meet, because the control plane does not depend on the data plane.
 */
class ReplicaFeedsANodeTest {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String TOKEN = "node-t0ken";
  private static final String VIEWER = "viewer-t0ken";
  private static final int WEBSOCKETS = 20;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir static Path certs;
  private static TestCertificates tls;

  @TempDir Path dir;
  private FileConfigStore store;
  private ControlPlaneServer server;
  private String target;

  /** What the configs say; the node binds a fresh port instead ({@link FreshListenerPorts}). */
  private final int webPort = 8080;

  /** The node the last {@link #client} feeds: where its listener {@code web} is bound. */
  private DataPlaneNode fed;

  @BeforeAll
  static void certificates() throws Exception {
    tls = TestCertificates.create(certs, "control-plane");
  }

  @BeforeEach
  void start() throws Exception {
    store = FileConfigStore.open(dir.resolve("store"), Clock.systemUTC());
    store.commit(0, respond("one"), "test", "first");
    server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-test")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .tokens(
                AccessTokens.parse(
                    List.of("older-token", "node " + TOKEN, "viewer " + VIEWER), "tokens"))
            .tls(tls.certificate(), tls.privateKey())
            .start();
    target = "127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aNodeWithTheTokenIsServedEveryVersionAndItsStatusIsRecorded() throws Exception {
    try (TestNode node = TestNode.builder().build();
        DiscoveryClient client = client(node.node(), TOKEN)) {
      client.start();
      awaitBody("one");
      Await.until(BOUND, () -> acked(1), () -> statuses().toString());

      long two = store.commit(store.read().version(), respond("two"), "test", "second");
      awaitBody("two");
      Await.until(BOUND, () -> acked(two), () -> statuses().toString());

      NodeStatus status = store.nodes().list().get(0);
      assertEquals("edge-1", status.getNodeId());
      assertEquals("cp-test", status.getReplica());
      assertEquals("eu-1", status.getLabelsOrThrow("zone"));
      assertTrue(status.getPeer().contains("127.0.0.1"), status.getPeer());
      assertEquals(1, server.discovery().connectedNodes());
    }
    Await.until(BOUND, () -> server.discovery().connectedNodes() == 0, () -> "still connected");
    Await.until(BOUND, () -> statuses().isEmpty(), () -> statuses().toString());
  }

  @Test
  void aStreamWithoutTheTokenIsRefused() throws Exception {
    assertEquals(
        "missing bearer token (authorization: Bearer <token>)", refusal(null).getDescription());
    assertEquals("unknown bearer token", refusal("guess").getDescription());
  }

  @Test
  void closingTheReplicaEndsItsStreamsSoNodesFailOverAtOnce() throws Exception {
    try (TestNode node = TestNode.builder().build();
        DiscoveryClient client = client(node.node(), TOKEN)) {
      client.start();
      awaitBody("one");
      Await.until(BOUND, client::connected, () -> "never connected");

      server.close();

      Await.until(BOUND, () -> !client.connected(), () -> "the node still thinks it is connected");
      assertEquals("one", body(), "the node keeps serving its config");
    }
  }

  /**
   * The node is asked to drain with 20 WebSockets open, closed with 1001 over its policy's 10 s
   * spread: ListNodes shows it draining, with the connections it has left going down to none, until
   * it leaves the fleet.
   */
  @Test
  void aDrainingNodeReportsTheConnectionsItHasLeftUntilNoneIsLeft() throws Exception {
    Duration drainBound = Duration.ofSeconds(90);
    try (TestBackend backend = TestBackend.start("backend");
        TestNode node = TestNode.builder().build();
        DiscoveryClient client = client(node.node(), TOKEN)) {
      long two = store.commit(store.read().version(), proxy(backend), "test", "websockets");
      client.start();
      Await.until(BOUND, () -> acked(two), () -> statuses().toString());
      List<WsClient> sockets = new ArrayList<>();
      for (int i = 0; i < WEBSOCKETS; i++) {
        WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + webPortBound() + "/ws"));
        ws.send(w -> w.sendText("hello", true));
        assertEquals("hello", ws.nextMessage(BOUND));
        sockets.add(ws);
      }
      assertFalse(listNodes().get(0).getStatus().getDraining());

      NodeDrain.Settings settings = new NodeDrain.Settings(Duration.ZERO, drainBound);
      CompletableFuture<Integer> drain =
          CompletableFuture.supplyAsync(
              () -> NodeDrain.run(node.node(), settings, System::nanoTime));
      List<Integer> left = new ArrayList<>();
      Await.until(
          drainBound,
          () -> {
            NodeStatus s = listNodes().get(0).getStatus();
            if (!s.hasDrainProgress()) {
              return false;
            }
            int open = s.getDrainProgress().getConnectionsOpen();
            if (left.isEmpty() || left.get(left.size() - 1) != open) {
              left.add(open);
            }
            return open == 0;
          },
          left::toString);
      assertEquals(0, drain.get(drainBound.toSeconds(), TimeUnit.SECONDS));

      NodeStatus status = listNodes().get(0).getStatus();
      assertTrue(status.getDraining(), status.toString());
      DrainProgress last = status.getDrainProgress();
      assertEquals(WEBSOCKETS, last.getConnectionsClosed(), last.toString());
      assertEquals(0, last.getWebsocketsOpen(), last.toString());
      assertTrue(last.hasDeadline(), last.toString());
      for (int i = 1; i < left.size(); i++) {
        assertTrue(left.get(i) < left.get(i - 1), "not going down: " + left);
      }
      assertTrue(
          left.stream().anyMatch(n -> n > 0 && n < WEBSOCKETS),
          "no report between the first and the last: " + left);
      for (WsClient ws : sockets) {
        assertEquals(1001, ws.closeCode().get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        ws.close();
      }
    }
    Await.until(BOUND, () -> listNodes().isEmpty(), () -> listNodes().toString());
  }

  /** ListNodes through the Admin API, as wharfctl nodes calls it. */
  private List<NodeView> listNodes() {
    try {
      ManagedChannel channel =
          NettyChannelBuilder.forTarget(target)
              .sslContext(
                  GrpcSslContexts.forClient().trustManager(tls.certificate().toFile()).build())
              .build();
      try {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + VIEWER);
        return AdminGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(BOUND.toMillis(), TimeUnit.MILLISECONDS)
            .listNodes(ListNodesRequest.getDefaultInstance())
            .getNodesList();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Config proxy(TestBackend backend) throws Exception {
    return ConfigDocuments.load(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: backend
            endpoints: [{address: "%s"}]
            drain: {spread: 10s}
        routes:
          - {name: all, match: {path: {prefix: /}}, proxy: {upstream: backend}}
        """
            .formatted(webPort, backend.endpoint()),
        "test.yaml");
  }

  private int webPortBound() {
    java.net.InetSocketAddress bound = fed.address("web");
    if (bound == null) {
      throw new IllegalStateException("listener web is not bound yet");
    }
    return bound.getPort();
  }

  private DiscoveryClient client(DataPlaneNode node, String token) throws Exception {
    fed = node;
    return DiscoveryClient.builder()
        .nodeId("edge-1")
        .label("zone", "eu-1")
        .targets(List.of(target))
        .channelFactory(ChannelFactory.tls(tls.certificate()))
        .token(token)
        .sink(FreshListenerPorts.of(ConfigSink.of(node), "web"))
        .snapshotFile(SnapshotFile.in(dir.resolve("node")))
        .backoff(
            Backoff.exponential(
                Duration.ofMillis(10), Duration.ofMillis(100), new SplittableRandom(1)))
        .build();
  }

  /** How the replica ends a stream that presents {@code token} (null: none). */
  private Status refusal(String token) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(target)
            .sslContext(
                GrpcSslContexts.forClient().trustManager(tls.certificate().toFile()).build())
            .build();
    try {
      DiscoveryGrpc.DiscoveryStub stub = DiscoveryGrpc.newStub(channel);
      if (token != null) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      CompletableFuture<Status> ended = new CompletableFuture<>();
      StreamObserver<NodeMessage> requests =
          stub.stream(
              new StreamObserver<ControlMessage>() {
                @Override
                public void onNext(ControlMessage value) {
                  if (value.hasSnapshot()) {
                    ended.complete(Status.INTERNAL.withDescription("a snapshot was pushed"));
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
      requests.onNext(
          NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId("intruder")).build());
      Status status = ended.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
      assertEquals(0, server.discovery().connectedNodes());
      return status;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private boolean acked(long version) {
    List<NodeStatus> s = statuses();
    return s.size() == 1 && s.get(0).getAckedVersion() == version;
  }

  private List<NodeStatus> statuses() {
    try {
      return store.nodes().list();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void awaitBody(String expected) {
    String[] last = {""};
    Await.until(
        BOUND,
        () -> {
          try {
            last[0] = body();
          } catch (Exception e) {
            last[0] = e.toString();
          }
          return last[0].equals(expected);
        },
        () -> "GET / answered " + last[0]);
  }

  private String body() throws Exception {
    return Http.get(URI.create("http://127.0.0.1:" + webPortBound() + "/")).body();
  }

  private Config respond(String body) throws Exception {
    return ConfigDocuments.load(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        routes:
          - {name: all, match: {path: {prefix: /}}, respond: {body: "%s"}}
        """
            .formatted(webPort, body),
        "test.yaml");
  }
}
