package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.controlplane.store.VersionedConfig;
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

  /** 128 + 15: the JVM's exit status after SIGTERM, once its shutdown hooks have run. */
  private static final int SIGTERM_EXIT = 143;

  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final String prefix = "/wharf-it-" + UUID.randomUUID();
  private final List<JarProcess> processes = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private JarProcess replicaA;
  private JarProcess replicaB;
  private EtcdConfigStore store;

  private record Node(String id, JarProcess process, int webPort, String admin) {}

  @BeforeEach
  void startCluster() throws Exception {
    store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "test").withPrefix(prefix));
    store.commit(0, config("version one"), "test", "first version");

    replicaA = startReplica("cp-a");
    replicaB = startReplica("cp-b");
    String targets =
        replicaA.awaitLine("discovery:", START) + "," + replicaB.awaitLine("discovery:", START);
    for (int i = 1; i <= 3; i++) {
      nodes.add(startNode("node" + i, targets, FreePorts.loopback()));
    }
    for (Node n : nodes) {
      awaitBody(n, "version one");
    }
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      JarProcess.closeAll(processes);
    } finally {
      if (store != null) {
        store.close();
      }
      etcd.cluster().startStoppedMembers();
    }
  }

  @Test
  void aRouteChangeIsAppliedAndAckedByEveryNode() throws Exception {
    VersionedConfig before = store.read();
    long version = store.commit(before.version(), config("version two"), "test", "new body");

    for (Node n : nodes) {
      awaitBody(n, "version two");
      assertEquals(
          "{\"version\":" + version, get(n.admin() + "/config/version").body().split(",")[0]);
    }
    Await.until(CONVERGE, () -> ackedBy(version) == 3, this::fleet);
  }

  @Test
  void whenTheReplicaItIsOnDiesANodeMovesToTheOtherAndKeepsServing() throws Exception {
    Await.until(CONVERGE, () -> onReplica("cp-a") == 3, this::fleet);

    replicaA.kill();
    // Until every node is on cp-b, and after, clients of every node are served.
    int requests = 0;
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (onReplica("cp-b") < 3) {
      assertTrue(System.nanoTime() < deadline, "nodes did not move to cp-b: " + fleet());
      for (Node n : nodes) {
        HttpResponse<String> r = get("http://127.0.0.1:" + n.webPort() + "/");
        assertEquals(200, r.statusCode(), n.id() + " failed while its replica was gone");
        assertEquals("version one", r.body());
        requests++;
      }
    }
    assertTrue(requests >= 3, "served " + requests + " requests during the failover");

    long version =
        store.commit(
            store.read().version(), config("after failover"), "test", "change through cp-b");
    for (Node n : nodes) {
      awaitBody(n, "after failover");
    }
    Await.until(CONVERGE, () -> ackedBy(version) == 3, this::fleet);
  }

  @Test
  void withControlPlaneAndEtcdDownARestartedNodeServesItsLastConfigFromDisk() throws Exception {
    store.close();
    store = null;
    for (JarProcess replica : List.of(replicaA, replicaB)) {
      assertEquals(SIGTERM_EXIT, replica.stop(Duration.ofSeconds(20)), replica.output());
      assertTrue(replica.output().contains("control-plane replica stopped"), replica.output());
    }
    for (int i = 0; i < etcd.cluster().size(); i++) {
      etcd.cluster().stopMember(i);
    }
    Node first = nodes.get(0);
    first.process().kill();

    Node restarted = startNode(first.id(), "127.0.0.1:" + FreePorts.loopback(), first.webPort());
    assertEquals("version one", awaitBody(restarted, "version one"));
    assertTrue(
        restarted.process().output().contains("applied version "), restarted.process().output());
  }

  // --- the cluster ---

  private JarProcess startReplica(String id) throws Exception {
    String endpoints =
        etcd.clientEndpoints().stream().map(URI::toString).collect(Collectors.joining(","));
    JarProcess p =
        JarProcess.startJar(
            id,
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

  private Node startNode(String id, String targets, int webPort) throws Exception {
    Path state = dir.resolve(id + "-state");
    JarProcess p =
        JarProcess.startJar(
            id + "-" + processes.size(),
            dir,
            JarProcess.DATA_PLANE_JAR,
            List.of(
                "--control-plane",
                targets,
                "--node-id",
                id,
                "--state-dir",
                state.toString(),
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

  private long ackedBy(long version) {
    return statuses().stream().filter(s -> s.getAckedVersion() == version).count();
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

  private static String awaitBody(Node n, String expected) {
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
    return expected;
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
