package dev.wharf.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.testkit.EtcdCluster;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real replica over a real etcd that is then stopped: wharfctl says the replica answered and its
 * store did not, exits 5, and does not ask the next server (it shares the store).
 */
class StoreOutageTest {
  @TempDir Path home;
  private EtcdCluster etcd;
  private ControlPlaneServer replica;
  private Cli cli;

  @AfterEach
  void stop() {
    if (cli != null) {
      cli.close();
    }
    if (replica != null) {
      replica.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void aWriteWithEtcdDownBlamesTheStoreNotTheReplicaAndTriesNoOtherServer(@TempDir Path dir)
      throws Exception {
    etcd = EtcdCluster.start(1);
    replica =
        ControlPlaneServer.builder()
            .store(
                EtcdConfigStore.connect(
                    EtcdStoreSettings.defaults(etcd.clientEndpoints(), "cp-outage")
                        .withCallTimeout(Duration.ofSeconds(1))))
            .replicaId("cp-outage")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .statusRetry(Duration.ofMillis(50))
            .start();
    String first = "127.0.0.1:" + replica.address().getPort();
    cli = new Cli(home);
    RealAdmin second = cli.serveReal("cp-2:9700");
    Transport netty = Transport.netty();
    cli.transport(
        (server, tlsCa) ->
            server.equals(first)
                ? netty.open(server, tlsCa)
                : InProcessChannelBuilder.forName(server).build());
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);

    etcd.stopMember(0);
    Result r = cli.run("apply", "-f", file.toString(), "--force", "--server", first + ",cp-2:9700");

    assertEquals(5, r.exitCode(), r.toString());
    List<String> lines = r.err().lines().toList();
    assertTrue(
        lines
            .get(0)
            .startsWith(
                "error: the control plane at "
                    + first
                    + " answered, but its config store (etcd) is unreachable: "),
        r.err());
    assertTrue(r.err().contains("every replica shares it, so check etcd"), r.err());
    assertTrue(!r.err().contains("cannot reach the Admin API"), r.err());
    assertEquals(0, second.calls(), "the second replica shares the store: not asked");
  }
}
