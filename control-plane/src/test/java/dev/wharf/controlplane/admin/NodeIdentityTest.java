package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminApiTest.listener;
import static dev.wharf.controlplane.admin.AdminApiTest.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ClientCertificates;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FakeDiscoveryNode;
import dev.wharf.testkit.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A discovery stream may say hello only as a node its credential is for: a replica over real TLS
 * with node tokens bound to node ids, an unbound node token, and node certificates whose CN is
 * their node id. An impostor claiming a connected node's id is refused, and the node it claims
 * keeps its stream, its pushes and its place in the fleet.
 */
class NodeIdentityTest {
  private static final String TOKEN_A = "node-t0ken-for-edge-a";
  private static final String TOKEN_B = "node-t0ken-for-edge-b";
  private static final String UNBOUND = "node-t0ken-for-anyone";
  private static final String ADMIN = "admin-t0ken-ops";
  private static final Duration BOUND = Duration.ofSeconds(15);

  @TempDir static Path certs;
  private static TestCertificates serverCert;
  private static TestCertificates edgeA;
  private static TestCertificates edgeB;

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ListAppender<ILoggingEvent> sessionLog = new ListAppender<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<FakeDiscoveryNode> nodes = new ArrayList<>();
  private ControlPlaneServer server;
  private AdminGrpc.AdminBlockingStub admin;
  private long version;

  @BeforeAll
  static void certificates() throws Exception {
    serverCert = TestCertificates.create(certs, "control-plane");
    TestCertificates.Authority clients = TestCertificates.authority(certs, "clients-ca");
    edgeA = clients.issue("edge-a", "CN=edge-a,OU=node,O=Wharf");
    edgeB = clients.issue("edge-b", "CN=edge-b,OU=node,O=Wharf");
  }

  @BeforeEach
  void start() throws Exception {
    sessionLogger().addAppender(sessionLog);
    sessionLog.start();
    server =
        ControlPlaneServer.builder()
            .store(FileConfigStore.open(dir.resolve("store"), Clock.systemUTC()))
            .replicaId("cp-identity")
            .registry(registry)
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .tls(serverCert.certificate(), serverCert.privateKey())
            .clientCertificates(
                ClientCertificates.trusting(certs.resolve("clients-ca.crt.pem"), null))
            .tokens(
                AccessTokens.parse(
                    List.of(
                        "admin " + ADMIN + " ops",
                        "node " + TOKEN_A + " edge-a",
                        "node " + TOKEN_B + " edge-b,edge-b2",
                        "node " + UNBOUND),
                    "tokens"))
            .statusRetry(Duration.ofMillis(50))
            .start();
    admin = AdminClients.admin(channel(null), ADMIN);
  }

  @AfterEach
  void stop() throws Exception {
    for (FakeDiscoveryNode n : nodes) {
      n.close();
    }
    for (ManagedChannel c : channels) {
      AdminClients.close(c);
    }
    server.close();
    sessionLogger().detachAppender(sessionLog);
  }

  @Test
  void aStreamClaimingAnotherNodesIdWithItsOwnTokenIsRefusedAndTheNodeKeepsItsStream()
      throws Exception {
    long v1 = put(8080);
    FakeDiscoveryNode a = node(channel(null), TOKEN_A, "edge-a", "real");
    Snapshot first = a.nextPush();
    assertEquals(v1, first.getVersion());
    a.ack(first);

    FakeDiscoveryNode impostor = node(channel(null), TOKEN_B, "edge-a", "impostor");

    Status refused = impostor.endStatus();
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getCode());
    assertEquals(
        "hello claims node id 'edge-a', but this credential is for node ids: edge-b, " + "edge-b2",
        refused.getDescription());
    assertTheNodeKeepsItsStream(a, "edge-a");
    List<String> warnings = refusals();
    assertEquals(1, warnings.size(), "one log line per refused attempt: " + warnings);
    assertTrue(
        warnings
            .get(0)
            .matches(
                "refused a discovery stream from /127\\.0\\.0\\.1:\\d+: "
                    + "its hello claims node id 'edge-a', but its credential \\(edge-b,edge-b2\\) is for "
                    + "node ids: edge-b, edge-b2"),
        warnings.get(0));
    assertFalse(warnings.get(0).contains(TOKEN_B), "the token itself is never logged");
  }

  @Test
  void aCertificateWhoseCommonNameIsAnotherNodeCannotClaimItsId() throws Exception {
    put(8080);
    FakeDiscoveryNode a = node(channel(edgeA), null, "edge-a", "real");
    a.ack(a.nextPush());

    FakeDiscoveryNode impostor = node(channel(edgeB), null, "edge-a", "impostor");

    Status refused = impostor.endStatus();
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getCode());
    assertEquals(
        "hello claims node id 'edge-a', but this credential is for node ids: edge-b",
        refused.getDescription());
    assertTheNodeKeepsItsStream(a, "edge-a");
  }

  @Test
  void aBoundTokenOpensTheStreamOfEachNodeItNames() throws Exception {
    long v1 = put(8080);

    assertEquals(v1, node(channel(null), TOKEN_B, "edge-b", "real").nextPush().getVersion());
    assertEquals(v1, node(channel(null), TOKEN_B, "edge-b2", "real").nextPush().getVersion());
    assertEquals(
        v1,
        node(channel(edgeB), null, "edge-b", "real").nextPush().getVersion(),
        "a certificate's CN is its node id");
    assertEquals(0.0, counter("wharf_cp_streams_refused_node_id"));
  }

  @Test
  void anUnboundNodeTokenStillOpensAnyNodesStreamButIsCountedAndLogged() throws Exception {
    long v1 = put(8080);

    assertEquals(v1, node(channel(null), UNBOUND, "edge-z", "real").nextPush().getVersion());

    assertEquals(1.0, counter("wharf_cp_streams_unbound_token"));
    assertTrue(
        sessionLog.list.stream()
            .anyMatch(
                e ->
                    e.getLevel() == Level.WARN
                        && e.getFormattedMessage().startsWith("node edge-z at /127.0.0.1:")
                        && e.getFormattedMessage()
                            .contains(
                                "connects with node token token:node-t...,"
                                    + " which is bound to no node id")),
        String.valueOf(sessionLog.list));
  }

  /** {@code a} was not replaced: it gets the next version, and the fleet shows it alone. */
  private void assertTheNodeKeepsItsStream(FakeDiscoveryNode a, String nodeId) throws Exception {
    long v2 = put(8081);
    assertEquals(v2, a.nextPush().getVersion(), "the node's stream still takes pushes");
    assertFalse(a.ended(), "the node's stream was ended");
    assertEquals(1.0, counter("wharf_cp_streams_refused_node_id"));
    Await.until(BOUND, () -> fleet().size() == 1, () -> "fleet: " + fleet());
    NodeStatus listed = fleet().get(0);
    assertEquals(nodeId, listed.getNodeId());
    assertEquals("real", listed.getLabelsOrThrow("who"), "the fleet shows the impostor");
  }

  private List<NodeStatus> fleet() {
    return admin.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
        .map(n -> n.getStatus())
        .toList();
  }

  /** Writes listener web on {@code port} over the version written last: a new version. */
  private long put(int port) {
    version =
        admin
            .putObject(
                PutObjectRequest.newBuilder()
                    .setExpectedVersion(version)
                    .setObject(object(listener("web", port)))
                    .build())
            .getVersion();
    return version;
  }

  private FakeDiscoveryNode node(ManagedChannel channel, String token, String nodeId, String who) {
    FakeDiscoveryNode n = new FakeDiscoveryNode(channel, token, nodeId, Map.of("who", who));
    nodes.add(n);
    return n;
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  private List<String> refusals() {
    return sessionLog.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith("refused a discovery stream"))
        .toList();
  }

  private static Logger sessionLogger() {
    return (Logger) LoggerFactory.getLogger("dev.wharf.controlplane.discovery.NodeSession");
  }

  /** A TLS channel presenting {@code client}'s certificate (null: none). */
  private ManagedChannel channel(TestCertificates client) throws Exception {
    SslContextBuilder ssl =
        GrpcSslContexts.forClient().trustManager(serverCert.certificate().toFile());
    if (client != null) {
      ssl.keyManager(client.certificate().toFile(), client.privateKey().toFile());
    }
    ManagedChannel c =
        NettyChannelBuilder.forAddress(server.address()).sslContext(ssl.build()).build();
    channels.add(c);
    return c;
  }
}
