package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's day from the Admin API issue, with every part a real process: bring the seed's
 * nginx setup into a running cluster with {@code wharfctl apply}, watch the rollout (one node
 * refuses: its port is taken), change the {@code /api} upstream and watch it reach every node, see
 * a bad change refused with its reasons, roll back, and drain a node.
 */
class OperatorWorkflowIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Path SEED =
      Path.of("..", "deploy", "examples", "seed-spa-api-websocket.yaml");
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String ADMIN = "admin-" + UUID.randomUUID();
  private static final String VIEWER = "viewer-" + UUID.randomUUID();
  private static final String NODE = "node-" + UUID.randomUUID();

  @TempDir Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();
  private String server;

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  void applyRolloutChangeRefuseRollBackAndDrain() throws Exception {
    TestBackend first = keep(TestBackend.start("first"));
    TestBackend second = keep(TestBackend.start("second"));
    startReplica();
    // Held on a port the kernel picked: nothing else can have it until the test frees it.
    ServerSocket taken = keep(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    int portB = taken.getLocalPort();

    // 1. The seed's setup, pointed at the first backend. edge-b cannot bind its port: refused.
    Path seed = seedWith(first, "seed.yaml");
    // The seed and its edits are written by hand: they record no version, hence --force.
    Result applied = wharfctl(ADMIN, "apply", "-f", seed.toString(), "--force");
    assertEquals(0, applied.exitCode(), applied.toString());
    long v1 = versionIn(applied.stdout());
    assertTrue(applied.stdout().contains("+ route api"), applied.stdout());
    // The nodes join the fleet once it has a config: edge-a's port is checked by the bind itself.
    ServingNode edgeA = startServingNode("edge-a");
    JarProcess nodeA = edgeA.process();
    int portA = edgeA.port();
    // edge-b must have refused before the rollout counts the fleet, or it counts edge-a alone.
    startNode("edge-b", portB).awaitLineContaining("cannot bind", START);

    Result refused = wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s");
    assertEquals(4, refused.exitCode(), refused.toString());
    assertTrue(
        refused.stdout().contains("version " + v1 + ": applied on 1/2 nodes"), refused.stdout());
    assertTrue(refused.stdout().contains("edge-b"), refused.stdout());
    assertTrue(refused.stdout().contains("cannot bind 127.0.0.1:" + portB), refused.stdout());
    assertEquals("/users?id=7", get(portA, "/api/users?id=7", first).uri());

    // 2. Free the port and move /api to the second backend: every node applies it.
    taken.close();
    Result changed =
        wharfctl(ADMIN, "apply", "-f", seedWith(second, "seed2.yaml").toString(), "--force");
    assertEquals(0, changed.exitCode(), changed.toString());
    assertTrue(changed.stdout().contains("~ upstream backend"), changed.stdout());
    long v2 = versionIn(changed.stdout());
    Result rollout = wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s");
    assertEquals(0, rollout.exitCode(), rollout.toString());
    assertTrue(
        rollout.stdout().contains("version " + v2 + ": applied on 2/2 nodes"), rollout.stdout());
    assertEquals("/users", get(portA, "/api/users", second).uri());
    assertEquals("/users", get(portB, "/api/users", second).uri());

    // 3. A bad change is refused with its reasons, and nothing is written.
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(seed).replace("upstream: backend", "upstream: gone"));
    Result invalid = wharfctl(ADMIN, "apply", "-f", bad.toString(), "--force");
    assertEquals(1, invalid.exitCode(), invalid.toString());
    assertTrue(invalid.stderr().contains("proxy.upstream"), invalid.stderr());
    Result viewerWrite = wharfctl(VIEWER, "apply", "-f", seed.toString(), "--force");
    assertEquals(3, viewerWrite.exitCode(), viewerWrite.toString());
    Result history = wharfctl(VIEWER, "history");
    assertEquals(0, history.exitCode(), history.toString());
    assertEquals(
        v2,
        history
            .stdout()
            .lines()
            .map(l -> l.split("\\s+", 2)[0])
            .filter(w -> w.matches("[0-9]+"))
            .mapToLong(Long::parseLong)
            .max()
            .orElse(-1),
        "the refused change made no version: the newest is still " + v2 + "\n" + history.stdout());

    // 4. Roll back to the first version: /api goes to the first backend again everywhere.
    Result rollback = wharfctl(ADMIN, "rollback", Long.toString(v1));
    assertEquals(0, rollback.exitCode(), rollback.toString());
    long v3 = versionIn(rollback.stdout());
    assertEquals(0, wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s").exitCode());
    assertEquals("/users", get(portA, "/api/users", first).uri());
    assertEquals("/users", get(portB, "/api/users", first).uri());
    Result nodes = wharfctl(VIEWER, "nodes");
    assertEquals(0, nodes.exitCode(), nodes.toString());
    assertEquals(
        2, nodes.stdout().lines().filter(l -> l.contains(" " + v3 + " ")).count(), nodes.stdout());

    // 5. Drain a node and follow it until it is gone: it stops, and leaves the fleet.
    Result drain = wharfctl(ADMIN, "drain", "edge-a", "--wait", "--timeout", "30s");
    assertEquals(0, drain.exitCode(), drain.toString());
    List<String> lines = drain.stdout().lines().toList();
    assertTrue(lines.get(0).startsWith("drain requested: edge-a"), drain.stdout());
    assertEquals("edge-a: gone (drained)", lines.get(lines.size() - 1), drain.stdout());
    Await.until(BOUND, () -> !nodeA.isAlive(), nodeA::output);
    assertTrue(nodeA.output().contains("drain requested by"), nodeA.output());
    Result after = wharfctl(VIEWER, "nodes");
    assertEquals(0, after.exitCode(), after.toString());
    assertFalse(after.stdout().contains("edge-a"), after.stdout());
    assertTrue(after.stdout().contains("edge-b"), after.stdout());
  }

  /**
   * Issue 19's two defects, with the wharfctl jar against a real replica and node: a document of
   * upstreams applied back leaves every listener and route (the node keeps serving), and a document
   * read before someone else's change is refused (exit 2) instead of undoing it.
   */
  @Test
  void aPartialDocumentAndAStaleDocumentLoseNothing() throws Exception {
    TestBackend first = keep(TestBackend.start("first"));
    TestBackend second = keep(TestBackend.start("second"));
    startReplica();
    Result seeded =
        wharfctl(ADMIN, "apply", "-f", seedWith(first, "seed.yaml").toString(), "--force");
    assertEquals(0, seeded.exitCode(), seeded.toString());
    int port = startServingNode("edge-a").port();
    assertEquals(0, wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s").exitCode());
    String routes = wharfctl(VIEWER, "get", "routes").stdout();
    String listeners = wharfctl(VIEWER, "get", "listeners").stdout();

    // 1. get upstreams -o yaml > u.yaml; apply -f u.yaml: listeners and routes stay.
    Result upstreams = wharfctl(ADMIN, "get", "upstreams", "-o", "yaml");
    assertEquals(0, upstreams.exitCode(), upstreams.toString());
    Path u = dir.resolve("u.yaml");
    Files.writeString(u, upstreams.stdout());
    Result applied = wharfctl(ADMIN, "apply", "-f", u.toString());
    assertEquals(0, applied.exitCode(), applied.toString());
    assertEquals(routes, wharfctl(VIEWER, "get", "routes").stdout());
    assertEquals(listeners, wharfctl(VIEWER, "get", "listeners").stdout());
    assertEquals(0, wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s").exitCode());
    assertEquals("/users", get(port, "/api/users", first).uri());

    // 2. A document read at version N, someone else's change, then an apply of the old document.
    Result read = wharfctl(ADMIN, "get", "config", "-o", "yaml");
    Path mine = dir.resolve("mine.yaml");
    Files.writeString(mine, read.stdout());
    Result theirs =
        wharfctl(ADMIN, "apply", "-f", seedWith(second, "theirs.yaml").toString(), "--force");
    assertEquals(0, theirs.exitCode(), theirs.toString());
    long now = versionIn(theirs.stdout());

    Result stale = wharfctl(ADMIN, "apply", "-f", mine.toString());

    assertEquals(2, stale.exitCode(), stale.toString());
    assertTrue(stale.stderr().contains("the config is now version " + now), stale.stderr());
    assertTrue(stale.stderr().contains("wharfctl diff -f " + mine), stale.stderr());
    assertEquals(0, wharfctl(ADMIN, "rollout", "--wait", "--timeout", "30s").exitCode());
    assertEquals("/users", get(port, "/api/users", second).uri(), "their change is kept");
  }

  private void startReplica() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens,
        "admin "
            + ADMIN
            + " alice\nviewer "
            + VIEWER
            + " grafana\nnode "
            + NODE
            + " edge-a,edge-b\n");
    JarProcess replica =
        keep(
            JarProcess.startJar(
                "cp",
                dir,
                JarProcess.CONTROL_PLANE_JAR,
                List.of(
                    "--listen",
                    "127.0.0.1:0",
                    "--metrics",
                    "127.0.0.1:0",
                    "--replica-id",
                    "cp-1",
                    "--etcd",
                    etcd.clientEndpoints().stream()
                        .map(URI::toString)
                        .collect(Collectors.joining(",")),
                    "--etcd-prefix",
                    "/wharf-" + UUID.randomUUID(),
                    "--token-file",
                    tokens.toString())));
    server = replica.awaitLine("discovery:", START);
  }

  /** A node and the listener port it bound. */
  private record ServingNode(JarProcess process, int port) {}

  /**
   * Starts node {@code id} on a fresh listener port and waits until it applied the fleet's config
   * (so the fleet must have one); when the port was taken before the node bound it, stops it and
   * starts it again on another ({@link FreePorts#retryWhenTaken}).
   */
  private ServingNode startServingNode(String id) throws Exception {
    return FreePorts.retryWhenTaken(
        1,
        ports -> {
          JarProcess node = startNode(id, ports.get(0));
          try {
            node.awaitStarted("applied version ", START);
          } catch (Exception | AssertionError e) {
            node.close();
            throw e;
          }
          return new ServingNode(node, ports.get(0));
        });
  }

  private JarProcess startNode(String id, int port) throws Exception {
    Path token = dir.resolve(id + ".token");
    Files.writeString(token, NODE + "\n");
    return keep(
        JarProcess.startJar(
            id,
            dir,
            JarProcess.DATA_PLANE_JAR,
            List.of(
                "--control-plane",
                server,
                "--node-id",
                id,
                "--token-file",
                token.toString(),
                "--state-dir",
                dir.resolve(id).toString(),
                "--admin",
                "127.0.0.1:0",
                "--listener-port",
                "http=" + port,
                "--workers",
                "1",
                "--drain-grace",
                "0s")));
  }

  /** The seed document on loopback, its backend replaced by {@code backend}. */
  private Path seedWith(TestBackend backend, String name) throws Exception {
    String text =
        Files.readString(SEED)
            .replace("  - name: http\n", "  - name: http\n    address: 127.0.0.1\n")
            .replace("192.168.1.173:10020", backend.endpoint());
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private Result wharfctl(String token, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--server", server));
    return CommandRunner.run(
        BOUND.plusSeconds(30),
        command,
        Map.of(
            "WHARF_TOKEN", token, "WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString()));
  }

  private static long versionIn(String stdout) {
    Matcher m = Pattern.compile("(?m)^applied: version (\\d+)").matcher(stdout);
    assertTrue(m.find(), "no 'applied: version N' in: " + stdout);
    return Long.parseLong(m.group(1));
  }

  /** GETs {@code path} on a node and returns what the backend received. */
  private static RecordedRequest get(int port, String path, TestBackend backend) throws Exception {
    HttpResponse<String> r = Http.get(URI.create("http://127.0.0.1:" + port + path));
    assertEquals(200, r.statusCode(), r.body());
    RecordedRequest seen = backend.takeRequest(BOUND);
    assertTrue(seen != null, backend.name() + " got no request for " + path);
    return seen;
  }

  private <T extends AutoCloseable> T keep(T resource) {
    started.add(resource);
    return resource;
  }
}
