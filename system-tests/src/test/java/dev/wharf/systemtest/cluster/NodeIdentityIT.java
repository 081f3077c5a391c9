package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 with real processes: a node started with another node's id and its own node token is
 * refused again and again, and never takes the real node's place in {@code wharfctl nodes}.
 */
class NodeIdentityIT {
  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String ADMIN = "admin-t0ken-node-identity";
  private static final String TOKEN_A = "node-t0ken-edge-a";
  private static final String TOKEN_B = "node-t0ken-edge-b";
  private static final String UNBOUND = "node-t0ken-unbound";

  @TempDir Path dir;
  private final List<JarProcess> started = new ArrayList<>();
  private String server;

  @AfterEach
  void stopAll() throws Exception {
    JarProcess.closeAll(started);
  }

  @Test
  void aNodeClaimingAnotherNodesIdIsRefusedAndNeverListedInItsPlace() throws Exception {
    Path tokens =
        Files.writeString(
            dir.resolve("tokens"),
            "admin "
                + ADMIN
                + " ops\n"
                + "node "
                + TOKEN_A
                + " edge-a\n"
                + "node "
                + UNBOUND
                + "\n"
                + "node "
                + TOKEN_B
                + " edge-b\n");
    Path config =
        Files.writeString(
            dir.resolve("config.yaml"),
            """
        listeners:
          - {name: web, address: 127.0.0.1, port: 8080}
        routes:
          - {name: all, match: {path: {prefix: /}}, respond: {body: "hello"}}
        """);
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
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--token-file",
                    tokens.toString(),
                    "--bootstrap-config",
                    config.toString())));
    server = replica.awaitLine("discovery:", START);
    assertTrue(
        replica
            .output()
            .contains(
                "warning: --token-file " + tokens + " line 3: node " + "token bound to no node id"),
        replica.output());

    // On a fresh port; started again on another when it was taken before the node bound it.
    int[] realStarts = {0};
    int[] realPort = {0};
    JarProcess real =
        FreePorts.retryWhenTaken(
            1,
            ports -> {
              realStarts[0]++;
              realPort[0] = ports.get(0);
              JarProcess node = startNode("edge-a", "edge-a", TOKEN_A, ports.get(0));
              try {
                node.awaitStarted("applied version 1 from control plane", START);
              } catch (Exception | AssertionError e) {
                node.close();
                throw e;
              }
              return node;
            });
    String before = nodes();
    assertEquals(1, before.lines().filter(l -> l.startsWith("edge-a ")).count(), before);

    // The control plane refuses it, so it never binds; were it to, edge-a holds the port.
    JarProcess impostor = startNode("impostor", "edge-a", TOKEN_B, realPort[0]);
    impostor.awaitLineContaining("ERROR", START);
    Await.until(
        BOUND, () -> impostor.countLinesContaining("refused this node") >= 3, impostor::output);

    assertTrue(
        impostor
            .output()
            .contains(
                "node edge-a: control plane "
                    + server
                    + " refused "
                    + "this node: stream ended: PERMISSION_DENIED (hello claims node id 'edge-a', but this "
                    + "credential is for node ids: edge-b)"),
        impostor.output());
    assertFalse(impostor.output().contains("applied version"), impostor.output());
    assertEquals(before, nodes(), "wharfctl nodes shows the real edge-a, as before");
    assertEquals(
        realStarts[0], // one connection per start of the real node, none of the impostor
        replica.countLinesContaining("node edge-a connected from"),
        replica.output());
    assertTrue(
        replica.countLinesContaining("refused a discovery stream from") >= 3, replica.output());
    assertFalse(replica.output().contains(TOKEN_B), "the token itself is never logged");
    assertFalse(real.output().contains("ALREADY_EXISTS"), real.output());
    assertTrue(real.isAlive());
  }

  private JarProcess startNode(String name, String nodeId, String token, int port)
      throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".token"), token + "\n");
    return keep(
        JarProcess.startJar(
            name,
            dir,
            JarProcess.DATA_PLANE_JAR,
            List.of(
                "--control-plane",
                server,
                "--node-id",
                nodeId,
                "--token-file",
                file.toString(),
                "--state-dir",
                dir.resolve(name).toString(),
                "--admin",
                "127.0.0.1:0",
                "--listener-port",
                "web=" + port,
                "--workers",
                "1",
                "--drain-grace",
                "0s")));
  }

  /** {@code wharfctl nodes} as an admin: its table. */
  private String nodes() {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString(),
                "nodes",
                "--server",
                server));
    Result r =
        CommandRunner.run(
            BOUND,
            command,
            Map.of(
                "WHARF_TOKEN",
                ADMIN,
                "WHARFCTL_CONFIG",
                dir.resolve("no-wharfctl.yaml").toString()));
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdout();
  }

  private JarProcess keep(JarProcess p) {
    started.add(p);
    return p;
  }
}
