package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Node;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Spec;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.RefusingPorts;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster: a 3-member etcd, two control-plane replicas and three data-plane nodes, each its
 * own process started from the jars CI builds. The test changes config through the store, as the
 * Admin API will, and watches what clients of the nodes see.
 */
class ClusterIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  /** 128 + 15: the JVM's exit status after SIGTERM, once its shutdown hooks have run. */
  private static final int SIGTERM_EXIT = 143;

  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  private LocalWharfCluster cluster;
  private List<Node> nodes;
  private JarProcess replicaA;
  private JarProcess replicaB;

  @BeforeEach
  void startCluster() throws Exception {
    cluster =
        LocalWharfCluster.start(
            etcd.cluster(),
            dir,
            CONVERGE,
            // Rebalancing off: a test below needs every node on cp-a when it kills cp-a.
            Spec.of("/wharf-it-", 2, 3).withReplicaFlags("--rebalance-max-moves", "0"),
            config("version one"),
            "version one");
    nodes = cluster.nodes();
    replicaA = cluster.replica(0);
    replicaB = cluster.replica(1);
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      etcd.cluster().startStoppedMembers();
    }
  }

  @Test
  void aRouteChangeIsAppliedAndAckedByEveryNode() throws Exception {
    VersionedConfig before = cluster.store().read();
    long version =
        cluster.store().commit(before.version(), config("version two"), "test", "new body");

    for (Node n : nodes) {
      cluster.awaitBody(n, "version two");
      assertEquals(
          "{\"version\":" + version, get(n.admin() + "/config/version").body().split(",")[0]);
    }
    Await.until(CONVERGE, () -> cluster.ackedBy(version) == 3, cluster::fleet);
  }

  @Test
  void whenTheReplicaItIsOnDiesANodeMovesToTheOtherAndKeepsServing() throws Exception {
    Await.until(CONVERGE, () -> cluster.onReplica("cp-a") == 3, cluster::fleet);

    replicaA.kill();
    // Until every node is on cp-b, and after, clients of every node are served.
    int requests = 0;
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (cluster.onReplica("cp-b") < 3) {
      assertTrue(System.nanoTime() < deadline, "nodes did not move to cp-b: " + cluster.fleet());
      for (Node n : nodes) {
        HttpResponse<String> r = get("http://127.0.0.1:" + n.webPort() + "/");
        assertEquals(200, r.statusCode(), n.id() + " failed while its replica was gone");
        assertEquals("version one", r.body());
        requests++;
      }
    }
    assertTrue(requests >= 3, "served " + requests + " requests during the failover");

    long version = cluster.commit(config("after failover"), "change through cp-b");
    for (Node n : nodes) {
      cluster.awaitBody(n, "after failover");
    }
    Await.until(CONVERGE, () -> cluster.ackedBy(version) == 3, cluster::fleet);
  }

  @Test
  void withControlPlaneAndEtcdDownARestartedNodeServesItsLastConfigFromDisk() throws Exception {
    cluster.closeStore();
    for (JarProcess replica : List.of(replicaA, replicaB)) {
      assertEquals(SIGTERM_EXIT, replica.stop(Duration.ofSeconds(20)), replica.output());
      assertTrue(replica.output().contains("control-plane replica stopped"), replica.output());
    }
    for (int i = 0; i < etcd.cluster().size(); i++) {
      etcd.cluster().stopMember(i);
    }
    Node first = nodes.get(0);
    first.process().kill();

    // The control plane it dials refuses connections: held, so nothing can start answering there.
    Node restarted =
        cluster.startNode(
            first.id(), "127.0.0.1:" + refusing.port(), Map.of("web", first.webPort()));
    assertEquals("version one", cluster.awaitBody(restarted, "version one"));
    assertTrue(
        restarted.process().output().contains("applied version "), restarted.process().output());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return Http.get(URI.create(url));
  }

  private static Config config(String body) throws Exception {
    return ConfigDocuments.load(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: 8080}
        routes:
          - name: hello
            listeners: [web]
            match: {path: {prefix: /}}
            respond: {body: "%s"}
        """
            .formatted(body),
        "cluster-it.yaml");
  }
}
