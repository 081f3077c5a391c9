package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Node;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Spec;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, defects 3 and 4, on real processes (a 3-member etcd, two replicas, three nodes): a
 * replica that hangs (SIGSTOP) is given up by its nodes within seconds, a config change made during
 * the hang reaches every node, and once the replica is back (SIGCONT) the nodes spread over both
 * replicas again, a node at a time.
 */
class ReplicaLivenessIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);

  private static final Duration START = LocalWharfCluster.START;
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  /** The nodes give a replica up after 5 s of silence; this bound leaves room for a slow host. */
  private static final Duration MOVED_WITHIN = Duration.ofSeconds(15);

  @TempDir Path dir;

  private LocalWharfCluster cluster;
  private List<Node> nodes;
  private JarProcess replicaA;
  private JarProcess replicaB;
  private String targetA;

  private void startCluster(String... replicaFlags) throws Exception {
    cluster =
        LocalWharfCluster.start(
            etcd.cluster(),
            dir,
            CONVERGE,
            Spec.of("/wharf-liveness-", 2, 3).withReplicaFlags(replicaFlags),
            config("version one"),
            "version one");
    nodes = cluster.nodes();
    replicaA = cluster.replica(0);
    replicaB = cluster.replica(1);
    targetA = cluster.discoveryAddresses().get(0);
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close(); // resumes a paused replica first: it could not take SIGTERM
    }
  }

  @Test
  void aHungReplicasNodesMoveWithinSecondsAndAChangeMadeMeanwhileReachesEveryNode()
      throws Exception {
    startCluster("--rebalance-max-moves", "0");
    Await.until(CONVERGE, () -> cluster.onReplica("cp-a") == 3, cluster::fleet);

    long hungAt = System.nanoTime();
    replicaA.pause();
    cluster.commit(config("during the hang"), "while cp-a hangs");

    for (Node n : nodes) {
      cluster.awaitBody(n, "during the hang");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - hungAt);
    assertTrue(
        took.compareTo(MOVED_WITHIN) < 0,
        "the change reached every node only after " + took + ": " + cluster.fleet());
    for (Node n : nodes) {
      n.process()
          .awaitLineContaining(
              "control plane replica " + targetA + " did not answer for 5 s; moving to the next",
              START);
      assertTrue(
          get(n.admin() + "/metrics")
              .body()
              .contains("wharf_discovery_stream_losses_total{reason=\"silent\"} 1.0"),
          n.id() + " does not count the silent replica in its metrics");
    }
    Await.until(CONVERGE, () -> cluster.onReplica("cp-b") == 3, cluster::fleet);

    replicaA.resume();
    String metricsA = replicaA.awaitLine("metrics:", START);
    Await.until(
        CONVERGE,
        () -> {
          try {
            return get("http://" + metricsA + "/healthz").statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        },
        () -> "cp-a did not come back:\n" + replicaA.output());
  }

  @Test
  void afterAHungReplicaComesBackTheNodesSpreadOverBothAgainANodeAtATime() throws Exception {
    startCluster("--rebalance-interval", "2s", "--rebalance-max-moves", "1");
    // Every node dials cp-a first: cp-a holds 3, its share is 2, and it moves one.
    Await.until(
        CONVERGE,
        () -> cluster.onReplica("cp-a") == 2 && cluster.onReplica("cp-b") == 1,
        cluster::fleet);
    // (How many it held when it looked depends on how many nodes had connected by then.)
    String line = replicaA.awaitLineContaining("rebalancing: cp-a holds ", START);
    assertTrue(line.endsWith("asked 1 node(s) to move to another replica"), line);

    replicaA.pause();
    Await.until(CONVERGE, () -> cluster.onReplica("cp-b") == 3, cluster::fleet);
    replicaA.resume();

    // cp-b holds all three now; with cp-a back it hands one back (a node per round at most).
    Await.until(
        CONVERGE,
        () -> cluster.onReplica("cp-a") >= 1 && cluster.onReplica("cp-b") >= 1,
        cluster::fleet);
    replicaB.awaitLineContaining("rebalancing: cp-b holds 3 of 3 nodes on 2 replicas", START);
    assertEquals(
        0,
        replicaB.countLinesContaining("asked 2 node(s)")
            + replicaA.countLinesContaining("asked 2 node(s)"),
        "more than one node moved in one round");
    assertTrue(
        nodes.stream()
            .anyMatch(n -> n.process().output().contains("asked this node to move (cp-b holds")),
        "no node says why it moved");

    long version = cluster.commit(config("spread again"), "after rebalance");
    for (Node n : nodes) {
      cluster.awaitBody(n, "spread again");
    }
    Await.until(
        CONVERGE,
        () -> cluster.statuses().stream().filter(s -> s.getAckedVersion() == version).count() == 3,
        cluster::fleet);
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
        "liveness-it.yaml");
  }
}
