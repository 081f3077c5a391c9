package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminApiTest.listener;
import static dev.wharf.controlplane.admin.AdminApiTest.object;
import static dev.wharf.controlplane.admin.AdminClients.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Who may call what: tokens with roles, on a real replica over a real etcd. */
class AdminAuthTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private AdminReplica replica;

  @BeforeEach
  void start() throws Exception {
    replica = AdminReplica.start(etcd);
  }

  @AfterEach
  void stop() throws Exception {
    replica.close();
  }

  @Test
  void aCallWithoutATokenOrWithAnUnknownOneIsUnauthenticated() {
    StatusRuntimeException none =
        failure(
            Code.UNAUTHENTICATED,
            () -> replica.as(null).getConfig(GetConfigRequest.getDefaultInstance()));
    assertEquals(
        "missing bearer token (authorization: Bearer <token>)", none.getStatus().getDescription());
    StatusRuntimeException unknown =
        failure(
            Code.UNAUTHENTICATED,
            () -> replica.as("guessed").getConfig(GetConfigRequest.getDefaultInstance()));
    assertEquals("unknown bearer token", unknown.getStatus().getDescription());
  }

  @Test
  void aViewerReadsButEveryWriteIsPermissionDeniedNamingTheRoleNeeded() {
    AdminGrpc.AdminBlockingStub viewer = replica.as(AdminReplica.VIEWER);

    assertEquals(0, viewer.getConfig(GetConfigRequest.getDefaultInstance()).getVersion());
    StatusRuntimeException e =
        failure(
            Code.PERMISSION_DENIED,
            () ->
                viewer.putObject(
                    PutObjectRequest.newBuilder()
                        .setObject(object(listener("web", 8080)))
                        .build()));
    assertEquals(
        "wharf.admin.v1.Admin/PutObject needs the admin role; grafana has the viewer " + "role",
        e.getStatus().getDescription());
    failure(
        Code.PERMISSION_DENIED,
        () ->
            viewer.apply(
                ApplyRequest.newBuilder()
                    .setConfig(AdminClients.config("listeners: [{name: web, port: 8080}]"))
                    .setDryRun(true)
                    .build()));
    assertEquals(0, viewer.getConfig(GetConfigRequest.getDefaultInstance()).getVersion());
  }

  @Test
  void anAdminWritesAndIsNamedInTheHistory() {
    WriteResponse w =
        replica
            .as(AdminReplica.ADMIN)
            .putObject(
                PutObjectRequest.newBuilder().setObject(object(listener("web", 8080))).build());
    assertTrue(w.getVersion() > 0);
    WriteResponse unnamed =
        replica
            .as(AdminReplica.UNNAMED_ADMIN)
            .putObject(
                PutObjectRequest.newBuilder()
                    .setExpectedVersion(w.getVersion())
                    .setObject(object(listener("alt", 8081)))
                    .build());

    var history =
        replica
            .as(AdminReplica.VIEWER)
            .listHistory(ListHistoryRequest.getDefaultInstance())
            .getEntriesList();
    assertEquals(unnamed.getVersion(), history.get(0).getVersion());
    assertEquals(
        "token:second...",
        history.get(0).getPrincipal(),
        "a token without a name is recorded by its first characters");
    assertEquals("put listener alt", history.get(0).getSummary());
    assertEquals("alice", history.get(1).getPrincipal());
  }

  @Test
  void aNodeTokenOpensTheDiscoveryStreamButNotTheAdminApi() throws Exception {
    long v =
        replica
            .admin()
            .apply(
                ApplyRequest.newBuilder()
                    .setConfig(AdminClients.config("listeners: [{name: web, port: 8080}]"))
                    .build())
            .getVersion();

    StatusRuntimeException e =
        failure(
            Code.PERMISSION_DENIED,
            () -> replica.as(AdminReplica.NODE).getConfig(GetConfigRequest.getDefaultInstance()));
    assertEquals(
        "wharf.admin.v1.Admin/GetConfig needs the viewer or admin role; "
            + "token:node-t... has the node role",
        e.getStatus().getDescription());

    try (FakeDiscoveryNode node =
        new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-1")) {
      Snapshot pushed = node.nextPush();
      assertEquals(v, pushed.getVersion());
      node.ack(pushed);
    }
  }

  @Test
  void aViewerOrNoTokenCannotOpenTheDiscoveryStream() throws Exception {
    try (FakeDiscoveryNode viewer =
            new FakeDiscoveryNode(replica.channel, AdminReplica.VIEWER, "snoop");
        FakeDiscoveryNode anonymous = new FakeDiscoveryNode(replica.channel, null, "anonymous")) {
      Status status = viewer.endStatus();
      assertEquals(Code.PERMISSION_DENIED, status.getCode(), status.toString());
      assertEquals(
          "wharf.discovery.v1.Discovery/Stream needs the node or admin role; grafana "
              + "has the viewer role",
          status.getDescription());
      assertEquals(Code.UNAUTHENTICATED, anonymous.endStatus().getCode());
    }
    assertEquals(0, replica.server.discovery().connectedNodes());
  }

  @Test
  void withoutTokensLoopbackCallersAreServedAsLocal() throws Exception {
    try (AdminReplica open = AdminReplica.start(etcd, java.time.Duration.ofSeconds(5), null)) {
      AdminGrpc.AdminBlockingStub anyone = AdminClients.admin(open.channel, null);
      WriteResponse w =
          anyone.putObject(
              PutObjectRequest.newBuilder().setObject(object(listener("web", 8080))).build());
      assertTrue(w.getVersion() > 0);
      assertEquals(
          "local",
          anyone.listHistory(ListHistoryRequest.getDefaultInstance()).getEntries(0).getPrincipal());
    }
  }

  @Test
  void withoutTokensAReplicaRefusesToListenBeyondLoopback(@TempDir Path dir) throws Exception {
    var store = dev.wharf.controlplane.store.FileConfigStore.open(dir, Clock.systemUTC());
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  ControlPlaneServer.builder()
                      .store(store)
                      .replicaId("open")
                      .registry(new SimpleMeterRegistry())
                      .listen(new InetSocketAddress("0.0.0.0", 0))
                      .start());
      assertTrue(e.getMessage().contains("is not a loopback address"), e.getMessage());
    } finally {
      store.close();
    }
  }
}
