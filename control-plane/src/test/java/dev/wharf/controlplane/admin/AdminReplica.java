package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.testkit.EtcdExtension;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A real replica on loopback over a real etcd (its own key prefix), with one token per role, and a
 * plaintext channel to it.
 */
final class AdminReplica implements AutoCloseable {
  static final String ADMIN = "admin-t0ken-1";
  static final String UNNAMED_ADMIN = "second-admin-t0ken";
  static final String VIEWER = "viewer-t0ken-1";
  static final String NODE = "node-t0ken-1";
  static final String REPLICA_ID = "cp-admin-test";

  final ConfigStore store;
  final ControlPlaneServer server;
  final ManagedChannel channel;

  private AdminReplica(ConfigStore store, ControlPlaneServer server) {
    this.store = store;
    this.server = server;
    this.channel = AdminClients.plaintext(server.address());
  }

  /** A replica with tokens: alice (admin), an unnamed admin, grafana (viewer), a node. */
  static AdminReplica start(EtcdExtension etcd) throws Exception {
    return start(
        etcd,
        Duration.ofSeconds(5),
        AccessTokens.parse(
            List.of(
                "admin " + ADMIN + " alice",
                "admin " + UNNAMED_ADMIN,
                "viewer " + VIEWER + " grafana",
                "node " + NODE),
            "test tokens"));
  }

  /** A replica with {@code tokens} (null: none) whose etcd calls time out after {@code call}. */
  static AdminReplica start(EtcdExtension etcd, Duration call, AccessTokens tokens)
      throws Exception {
    ConfigStore store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), REPLICA_ID)
                .withPrefix("/admin-test-" + UUID.randomUUID())
                .withCallTimeout(call));
    try {
      ControlPlaneServer server =
          ControlPlaneServer.builder()
              .store(store)
              .replicaId(REPLICA_ID)
              .registry(new SimpleMeterRegistry())
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .tokens(tokens)
              .statusRetry(Duration.ofMillis(50))
              .start();
      return new AdminReplica(store, server);
    } catch (Exception | Error e) {
      store.close();
      throw e;
    }
  }

  AdminGrpc.AdminBlockingStub admin() {
    return AdminClients.admin(channel, ADMIN);
  }

  AdminGrpc.AdminBlockingStub as(String token) {
    return AdminClients.admin(channel, token);
  }

  @Override
  public void close() throws Exception {
    try {
      AdminClients.close(channel);
    } finally {
      server.close(); // closes the store too
    }
  }
}
