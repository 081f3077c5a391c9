package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminApiTest.listener;
import static dev.wharf.controlplane.admin.AdminApiTest.object;
import static dev.wharf.controlplane.admin.AdminClients.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ClientCertificates;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.testkit.FakeDiscoveryNode;
import dev.wharf.testkit.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates as Admin credentials: a replica serving TLS that trusts one CA for clients,
 * called by clients holding certificates that CA issued. Nodes, which have no client certificate,
 * keep using tokens on the same port.
 */
class AdminMutualTlsTest {
  private static final String NODE_TOKEN = "node-t0ken-tls";

  @TempDir static Path certs;
  private static TestCertificates serverCert;
  private static TestCertificates alice;
  private static TestCertificates bob;
  private static TestCertificates carol;
  private static TestCertificates dave;
  private static TestCertificates mallory;
  private static Path roles;

  @TempDir Path dir;
  private ControlPlaneServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    serverCert = TestCertificates.create(certs, "control-plane");
    TestCertificates.Authority clients = TestCertificates.authority(certs, "clients-ca");
    alice = clients.issue("alice", "CN=alice,OU=admin,O=Wharf");
    bob = clients.issue("bob", "CN=bob,OU=viewer,O=Wharf");
    carol = clients.issue("carol", "CN=carol,O=Wharf");
    dave = clients.issue("dave", "CN=dave,O=Wharf");
    mallory = TestCertificates.authority(certs, "rogue-ca").issue("mallory", "CN=mallory,OU=admin");
    roles = Files.writeString(certs.resolve("roles"), "# ROLE CN\nviewer carol\n");
  }

  @BeforeEach
  void start() throws Exception {
    FileConfigStore store = FileConfigStore.open(dir.resolve("store"), Clock.systemUTC());
    server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-tls")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .tls(serverCert.certificate(), serverCert.privateKey())
            .clientCertificates(
                ClientCertificates.trusting(certs.resolve("clients-ca.crt.pem"), roles))
            .tokens(AccessTokens.parse(List.of("node " + NODE_TOKEN), "tokens"))
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      AdminClients.close(c);
    }
    server.close();
  }

  @Test
  void aCertificateWithOuAdminReadsAndWrites() {
    AdminGrpc.AdminBlockingStub admin = as(alice);

    long v =
        admin
            .putObject(
                PutObjectRequest.newBuilder().setObject(object(listener("web", 8080))).build())
            .getVersion();

    assertTrue(v > 0);
    assertEquals(v, admin.getConfig(GetConfigRequest.getDefaultInstance()).getVersion());
  }

  @Test
  void theCertificatesCommonNameIsThePrincipalRecordedWithTheWrite() {
    as(alice)
        .putObject(PutObjectRequest.newBuilder().setObject(object(listener("web", 8080))).build());

    assertEquals(
        "alice",
        as(bob).listHistory(ListHistoryRequest.getDefaultInstance()).getEntries(0).getPrincipal());
  }

  @Test
  void aViewerCertificateReadsButMayNotWrite() {
    assertEquals(0, as(bob).getConfig(GetConfigRequest.getDefaultInstance()).getVersion());

    StatusRuntimeException e =
        failure(
            Code.PERMISSION_DENIED,
            () ->
                as(bob)
                    .putObject(
                        PutObjectRequest.newBuilder()
                            .setObject(object(listener("web", 8080)))
                            .build()));
    assertEquals(
        "wharf.admin.v1.Admin/PutObject needs the admin role; bob has the viewer role",
        e.getStatus().getDescription());
  }

  @Test
  void theRolesFileGivesARoleToACertificateWithoutOne() {
    assertEquals(0, as(carol).getConfig(GetConfigRequest.getDefaultInstance()).getVersion());
    failure(
        Code.PERMISSION_DENIED,
        () ->
            as(carol)
                .putObject(
                    PutObjectRequest.newBuilder()
                        .setObject(object(listener("web", 8080)))
                        .build()));
  }

  @Test
  void aCertificateWithoutARoleIsPermissionDenied() {
    StatusRuntimeException e =
        failure(
            Code.PERMISSION_DENIED,
            () -> as(dave).getConfig(GetConfigRequest.getDefaultInstance()));
    assertTrue(
        e.getStatus().getDescription().startsWith("client certificate 'dave' has no role"),
        e.getStatus().getDescription());
  }

  @Test
  void withoutACertificateOrATokenACallIsUnauthenticated() {
    StatusRuntimeException e =
        failure(
            Code.UNAUTHENTICATED, () -> as(null).getConfig(GetConfigRequest.getDefaultInstance()));
    assertEquals(
        "missing credentials: a bearer token (authorization: Bearer <token>) or a client "
            + "certificate",
        e.getStatus().getDescription());
  }

  @Test
  void aCertificateFromAnotherAuthorityIsNoCredential() {
    // The server names the CA it accepts; the client has no certificate from it and sends none.
    StatusRuntimeException e =
        failure(
            Code.UNAUTHENTICATED,
            () -> as(mallory).getConfig(GetConfigRequest.getDefaultInstance()));
    assertTrue(
        e.getStatus().getDescription().startsWith("missing credentials"),
        e.getStatus().getDescription());
  }

  @Test
  void aNodeWithoutACertificateStillOpensDiscoveryWithItsToken() throws Exception {
    long v =
        as(alice)
            .putObject(
                PutObjectRequest.newBuilder().setObject(object(listener("web", 8080))).build())
            .getVersion();

    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel(null), NODE_TOKEN, "edge-tls")) {
      assertEquals(v, node.nextPush().getVersion());
    }
  }

  private AdminGrpc.AdminBlockingStub as(TestCertificates client) {
    return AdminClients.admin(channel(client), null);
  }

  /** A TLS channel presenting {@code client}'s certificate (null: none). */
  private ManagedChannel channel(TestCertificates client) {
    try {
      SslContextBuilder ssl =
          GrpcSslContexts.forClient().trustManager(serverCert.certificate().toFile());
      if (client != null) {
        ssl.keyManager(client.certificate().toFile(), client.privateKey().toFile());
      }
      ManagedChannel c =
          NettyChannelBuilder.forAddress(server.address()).sslContext(ssl.build()).build();
      channels.add(c);
      return c;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
