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
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
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

  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  /** The nodes give a replica up after 5 s of silence; this bound leaves room for a slow host. */
  private static final Duration MOVED_WITHIN = Duration.ofSeconds(15);

  @TempDir Path dir;

  private final String prefix = "/wharf-liveness-" + UUID.randomUUID();
  private final List<JarProcess> processes = new ArrayList<>();
  private final List<JarProcess> stopped = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private JarProcess replicaA;
  private JarProcess replicaB;
  private String targetA;
  private EtcdConfigStore store;

  private record Node(String id, JarProcess process, int webPort, String admin) {}

  private void startCluster(List<String> replicaFlags) throws Exception {
    store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "test").withPrefix(prefix));
    store.commit(0, config("version one"), "test", "first version");
    replicaA = startReplica("cp-a", replicaFlags);
    replicaB = startReplica("cp-b", replicaFlags);
    targetA = replicaA.awaitLine("discovery:", START);
    String targets = targetA + "," + replicaB.awaitLine("discovery:", START);
    for (int i = 1; i <= 3; i++) {
      nodes.add(startNode("node" + i, targets));
    }
    for (Node n : nodes) {
      awaitBody(n, "version one");
    }
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      for (JarProcess p : stopped) {
        p.signal("CONT"); // a stopped process cannot take the SIGTERM that closes it
      }
      JarProcess.closeAll(processes);
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }

  @Test
  void aHungReplicasNodesMoveWithinSecondsAndAChangeMadeMeanwhileReachesEveryNode()
      throws Exception {
    startCluster(List.of("--rebalance-max-moves", "0"));
    Await.until(CONVERGE, () -> onReplica("cp-a") == 3, this::fleet);

    long hungAt = System.nanoTime();
    replicaA.signal("STOP");
    stopped.add(replicaA);
    store.commit(store.read().version(), config("during the hang"), "test", "while cp-a hangs");

    for (Node n : nodes) {
      awaitBody(n, "during the hang");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - hungAt);
    assertTrue(
        took.compareTo(MOVED_WITHIN) < 0,
        "the change reached every node only after " + took + ": " + fleet());
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
    Await.until(CONVERGE, () -> onReplica("cp-b") == 3, this::fleet);

    replicaA.signal("CONT");
    stopped.remove(replicaA);
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
    startCluster(List.of("--rebalance-interval", "2s", "--rebalance-max-moves", "1"));
    // Every node dials cp-a first: cp-a holds 3, its share is 2, and it moves one.
    Await.until(CONVERGE, () -> onReplica("cp-a") == 2 && onReplica("cp-b") == 1, this::fleet);
    // (How many it held when it looked depends on how many nodes had connected by then.)
    String line = replicaA.awaitLineContaining("rebalancing: cp-a holds ", START);
    assertTrue(line.endsWith("asked 1 node(s) to move to another replica"), line);

    replicaA.signal("STOP");
    stopped.add(replicaA);
    Await.until(CONVERGE, () -> onReplica("cp-b") == 3, this::fleet);
    replicaA.signal("CONT");
    stopped.remove(replicaA);

    // cp-b holds all three now; with cp-a back it hands one back (a node per round at most).
    Await.until(CONVERGE, () -> onReplica("cp-a") >= 1 && onReplica("cp-b") >= 1, this::fleet);
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

    long version =
        store.commit(store.read().version(), config("spread again"), "test", "after rebalance");
    for (Node n : nodes) {
      awaitBody(n, "spread again");
    }
    Await.until(
        CONVERGE,
        () -> statuses().stream().filter(s -> s.getAckedVersion() == version).count() == 3,
        this::fleet);
  }

  // --- the cluster ---

  private JarProcess startReplica(String id, List<String> flags) throws Exception {
    String endpoints =
        etcd.clientEndpoints().stream().map(URI::toString).collect(Collectors.joining(","));
    List<String> args =
        new ArrayList<>(
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
    args.addAll(flags);
    JarProcess p = JarProcess.startJar(id, dir, JarProcess.CONTROL_PLANE_JAR, args);
    processes.add(p);
    return p;
  }

  private Node startNode(String id, String targets) throws Exception {
    int webPort = FreePorts.loopback();
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
                "web=" + webPort,
                "--workers",
                "1",
                "--drain-grace",
                "0s"));
    processes.add(p);
    return new Node(id, p, webPort, "http://" + p.awaitLine("admin:", START));
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
        .map(s -> s.getNodeId() + " on " + s.getReplica() + " acked " + s.getAckedVersion())
        .collect(Collectors.joining("; "));
  }

  private static void awaitBody(Node n, String expected) {
    String url = "http://127.0.0.1:" + n.webPort() + "/";
    String[] last = {"(no answer)"};
    Await.until(
        CONVERGE,
        () -> {
          try {
            HttpResponse<String> r = get(url);
            last[0] = r.statusCode() + " " + r.body();
            return r.statusCode() == 200 && r.body().equals(expected);
          } catch (Exception e) {
            last[0] = e.toString();
            return false;
          }
        },
        () -> n.id() + " at " + url + " answers " + last[0] + "\n" + n.process().output());
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
