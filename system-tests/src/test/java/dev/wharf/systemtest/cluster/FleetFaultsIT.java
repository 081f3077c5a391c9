package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
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

  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final String prefix = "/wharf-faults-" + UUID.randomUUID();
  private final List<JarProcess> processes = new ArrayList<>();
  private final List<ServerSocket> held = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private JarProcess replicaA;
  private JarProcess replicaB;
  private String addressB;
  private EtcdConfigStore store;

  private record Node(String id, JarProcess process, int webPort, int extraPort) {}

  @BeforeEach
  void startCluster() throws Exception {
    store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "test").withPrefix(prefix));
    store.commit(0, config("one", false), "test", "first version");
    replicaA = startReplica("cp-a");
    replicaB = startReplica("cp-b");
    addressB = replicaB.awaitLine("discovery:", START);
    String targets = replicaA.awaitLine("discovery:", START) + "," + addressB;
    for (int i = 1; i <= 3; i++) {
      nodes.add(startNode("node" + i, targets));
    }
    for (Node n : nodes) {
      awaitBody(n, "one");
    }
    Await.until(CONVERGE, () -> onReplica("cp-a") == 3, this::fleet);
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      JarProcess.closeAll(processes);
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
      if (store != null) {
        store.close();
      }
    }
  }

  @Test
  void aHungReplicaDoesNotLetRolloutWaitReportSuccessWhileItsNodesServeTheOldVersion()
      throws Exception {
    replicaA.pause();
    // Its lease expires: the nodes' live statuses vanish, as in the issue.
    Await.until(CONVERGE, () -> onReplica("cp-a") == 0, this::fleet);
    long two = store.commit(store.read().version(), config("two", false), "test", "two");

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
      awaitBody(n, "two");
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
      held.add(new ServerSocket(n.extraPort(), 1, InetAddress.getLoopbackAddress()));
    }
    long two = store.commit(store.read().version(), config("two", true), "test", "extra port");
    Await.until(
        CONVERGE,
        () -> statuses().stream().filter(s -> s.getLastNackVersion() == two).count() == 3,
        this::fleet);

    for (ServerSocket s : held) {
      s.close(); // the port is free now, but nobody asked to retry
    }
    assertEquals(143, replicaA.stop(Duration.ofSeconds(20)), replicaA.output());
    replicaA = startReplica("cp-a");
    replicaA.awaitLine("discovery:", START);
    Await.until(CONVERGE, () -> onReplica("cp-b") == 3, this::fleet);

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
      awaitBody(n, "two");
    }
  }

  // --- the cluster ---

  private JarProcess startReplica(String id) throws Exception {
    String endpoints =
        etcd.clientEndpoints().stream().map(URI::toString).collect(Collectors.joining(","));
    JarProcess p =
        JarProcess.startJar(
            id + "-" + processes.size(),
            dir,
            JarProcess.CONTROL_PLANE_JAR,
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--replica-id",
                id,
                "--etcd",
                endpoints,
                "--etcd-prefix",
                prefix));
    processes.add(p);
    return p;
  }

  private Node startNode(String id, String targets) throws Exception {
    int web = FreePorts.loopback();
    int extra = FreePorts.loopback();
    JarProcess p =
        JarProcess.startJar(
            id,
            dir,
            JarProcess.DATA_PLANE_JAR,
            List.of(
                "--control-plane",
                targets,
                "--node-id",
                id,
                "--state-dir",
                dir.resolve(id + "-state").toString(),
                "--admin",
                "127.0.0.1:0",
                "--listener-port",
                "web=" + web,
                "--listener-port",
                "extra=" + extra,
                "--workers",
                "1",
                "--drain-grace",
                "0s"));
    processes.add(p);
    p.awaitLine("admin:", START);
    return new Node(id, p, web, extra);
  }

  private Result wharfctl(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--server", addressB));
    return CommandRunner.run(
        Duration.ofSeconds(120),
        command,
        Map.of("WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString()));
  }

  private long onReplica(String replica) {
    return statuses().stream().filter(s -> s.getReplica().equals(replica)).count();
  }

  private List<NodeStatus> statuses() {
    try {
      return store.nodes().list();
    } catch (Exception e) {
      return List.of();
    }
  }

  private String fleet() {
    return statuses().stream()
        .map(
            s ->
                s.getNodeId()
                    + " on "
                    + s.getReplica()
                    + " acked "
                    + s.getAckedVersion()
                    + " nacked "
                    + s.getLastNackVersion())
        .collect(Collectors.joining("; "));
  }

  private static String body(Node n) {
    try {
      HttpResponse<String> r = Http.get(URI.create("http://127.0.0.1:" + n.webPort() + "/"));
      return r.statusCode() == 200 ? r.body() : r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static void awaitBody(Node n, String expected) {
    String[] last = {"(no answer)"};
    Await.until(
        CONVERGE,
        () -> (last[0] = body(n)).equals(expected),
        () -> n.id() + " answers " + last[0] + "\n" + n.process().output());
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
