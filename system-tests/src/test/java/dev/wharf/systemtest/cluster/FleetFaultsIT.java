package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Node;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Spec;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.JarProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's standing tests for defects 1 and 2, on real processes: a 3-member etcd, two replicas
 * and three nodes (jars), with wharfctl (jar) as the operator runs it. A replica hung with SIGSTOP
 * during a rollout must not let {@code rollout --wait} report success while its nodes serve the old
 * version; a version the nodes refused is not pushed again after the replica they were on restarts,
 * and {@code rollout retry} makes them apply it once its cause is gone.
 */
class FleetFaultsIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);

  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final List<ServerSocket> held = new ArrayList<>();
  private LocalWharfCluster cluster;
  private List<Node> nodes;
  private JarProcess replicaA;
  private String addressB;

  @BeforeEach
  void startCluster() throws Exception {
    cluster =
        LocalWharfCluster.start(
            etcd.cluster(),
            dir,
            CONVERGE,
            // Rebalancing off: both tests start with every node on cp-a (the replica they break).
            Spec.of("/wharf-faults-", 2, 3)
                .withReplicaFlags("--rebalance-max-moves", "0")
                .withListeners("web", "extra"),
            config("one", false),
            "one");
    nodes = cluster.nodes();
    replicaA = cluster.replica(0);
    addressB = cluster.discoveryAddresses().get(1);
    Await.until(CONVERGE, () -> cluster.onReplica("cp-a") == 3, cluster::fleet);
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aHungReplicaDoesNotLetRolloutWaitReportSuccessWhileItsNodesServeTheOldVersion()
      throws Exception {
    replicaA.pause();
    // Its lease expires: the nodes' live statuses vanish, as in the issue.
    Await.until(CONVERGE, () -> cluster.onReplica("cp-a") == 0, cluster::fleet);
    long two = cluster.commit(config("two", false), "two");

    Result rollout = wharfctl("rollout", "--wait", "--timeout", "10s");

    if (rollout.exitCode() == 0) { // only if the nodes really moved and applied it
      for (Node n : nodes) {
        assertEquals("two", body(n), "rollout --wait said done: " + rollout);
      }
    } else {
      assertEquals(4, rollout.exitCode(), rollout.toString());
      assertTrue(rollout.stderr().contains("still pending"), rollout.toString());
      for (Node n : nodes) {
        if (!body(n).equals("two")) {
          assertTrue(rollout.stderr().contains(n.id()), n.id() + " unnamed: " + rollout);
        }
      }
    }
    Result listed = wharfctl("nodes");
    for (Node n : nodes) {
      assertTrue(listed.stdout().contains(n.id()), "every node is listed: " + listed);
    }

    replicaA.resume();
    for (Node n : nodes) {
      cluster.awaitBody(n, "two");
    }
    Result done = wharfctl("rollout", "--wait", "--timeout", "60s");
    assertEquals(0, done.exitCode(), done.toString());
    assertTrue(
        done.stdout().contains("version " + two + ": applied on 3/3 nodes"), done.toString());
  }

  @Test
  void aRefusedVersionIsNotPushedAgainAfterItsReplicaRestartsAndRolloutRetryAppliesIt()
      throws Exception {
    for (Node n : nodes) {
      held.add(new ServerSocket(n.port("extra"), 1, InetAddress.getLoopbackAddress()));
    }
    long two = cluster.commit(config("two", true), "extra port");
    Await.until(
        CONVERGE,
        () -> cluster.statuses().stream().filter(s -> s.getLastNackVersion() == two).count() == 3,
        cluster::fleet);

    for (ServerSocket s : held) {
      s.close(); // the port is free now, but nobody asked to retry
    }
    assertEquals(143, replicaA.stop(Duration.ofSeconds(20)), replicaA.output());
    replicaA = cluster.startReplica("cp-a");
    replicaA.awaitLine("discovery:", LocalWharfCluster.START);
    Await.until(CONVERGE, () -> cluster.onReplica("cp-b") == 3, cluster::fleet);

    Result rollout = wharfctl("rollout");
    assertEquals(4, rollout.exitCode(), "still refused by every node: " + rollout);
    assertTrue(rollout.stdout().contains("refused by 3"), rollout.toString());
    for (Node n : nodes) {
      assertEquals("one", body(n), n.id() + " applied the refused version");
      assertEquals(
          0,
          n.process().countLinesContaining("applied version " + two + " "),
          n.process().output());
    }

    Result retry = wharfctl("rollout", "retry");
    assertEquals(0, retry.exitCode(), retry.toString());
    assertTrue(retry.stdout().contains("retry asked of 3 nodes"), retry.toString());
    Result done = wharfctl("rollout", "--wait", "--timeout", "60s");
    assertEquals(0, done.exitCode(), done.toString());
    for (Node n : nodes) {
      cluster.awaitBody(n, "two");
    }
  }

  private Result wharfctl(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", addressB));
    return cluster.wharfctl(all);
  }

  private static String body(Node n) {
    return LocalWharfCluster.body(n);
  }

  /** A route answering {@code body}; with {@code extra}, a second listener (its port held). */
  private static Config config(String body, boolean extra) throws Exception {
    return ConfigDocuments.load(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: 8080}
        %s
        routes:
          - name: hello
            listeners: [web]
            match: {path: {prefix: /}}
            respond: {body: "%s"}
        """
            .formatted(extra ? "  - {name: extra, address: 127.0.0.1, port: 8081}" : "", body),
        "fleet-faults-it.yaml");
  }
}
