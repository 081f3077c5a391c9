package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminClients.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Timestamps;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.proto.admin.v1.GetServerInfoRequest;
import dev.wharf.proto.admin.v1.ServerInfo;
import dev.wharf.testkit.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetServerInfo (wharfctl version) against real replicas: one on etcd, one on the file store of
 * standalone, called over a real gRPC channel.
 */
class ServerInfoTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final GetServerInfoRequest ASK = GetServerInfoRequest.getDefaultInstance();

  @Test
  void aReplicaOnEtcdNamesItsBuildItsIdItsStoreAndWhenItStarted() throws Exception {
    Instant before = Instant.now();
    try (AdminReplica replica = AdminReplica.start(etcd)) {
      Instant after = Instant.now();

      ServerInfo info = replica.admin().getServerInfo(ASK);

      assertEquals("dev", info.getVersion(), "run from classes: no jar manifest");
      assertEquals(AdminReplica.REPLICA_ID, info.getReplicaId());
      assertEquals("etcd", info.getStore());
      assertTrue(info.getRuntime().startsWith("Java " + Runtime.version()), info.getRuntime());
      Instant started = Timestamps.toJava(info.getStartedAt());
      assertFalse(started.isBefore(before.minusSeconds(1)), started + " before " + before);
      assertFalse(started.isAfter(after.plusSeconds(1)), started + " after " + after);
    }
  }

  @Test
  void aViewerMayAskAndAnUnauthenticatedCallerMayNot() throws Exception {
    try (AdminReplica replica = AdminReplica.start(etcd)) {
      assertEquals("etcd", replica.as(AdminReplica.VIEWER).getServerInfo(ASK).getStore());
      failure(Code.UNAUTHENTICATED, () -> replica.as(null).getServerInfo(ASK));
      failure(Code.UNAUTHENTICATED, () -> replica.as("not-a-token").getServerInfo(ASK));
    }
  }

  @Test
  void aReplicaOnTheFileStoreSaysFile(@TempDir Path dir) throws Exception {
    FileConfigStore store = FileConfigStore.open(dir, Clock.systemUTC());
    try (ControlPlaneServer server =
            ControlPlaneServer.builder()
                .store(store)
                .replicaId("standalone-1")
                .registry(new SimpleMeterRegistry())
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .start();
        Channel channel = new Channel(AdminClients.plaintext(server.address()))) {
      ServerInfo info = AdminClients.admin(channel.channel(), null).getServerInfo(ASK);

      assertEquals("file", info.getStore());
      assertEquals("standalone-1", info.getReplicaId());
    }
  }

  /** Closes the channel with the test. */
  private record Channel(ManagedChannel channel) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      AdminClients.close(channel);
    }
  }
}
