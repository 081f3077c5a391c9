package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.JarProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/cluster.sh} against the real jars and a real etcd: {@code up} brings a
 * cluster of 10 processes up on free loopback ports, real clients are served through every node,
 * {@code status} sees it, and {@code down} stops every process it started. A missing etcd fails the
 * script and so this test; it never skips.
 */
// "up" alone may take its 120 s bound, then each command its 90 s: over the 2 min default.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LocalClusterScriptIT {
  private static final Path SCRIPT = Path.of("..", "deploy", "local", "cluster.sh");

  /** The script bounds its own wait at 60 s; this only catches a script that hangs. */
  private static final Duration UP_BOUND = Duration.ofSeconds(120);

  private static final Duration COMMAND_BOUND = Duration.ofSeconds(90);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern NODE_STATUS =
      Pattern.compile("(?m)^(node\\d+)\\s+running\\s+\\d+\\s.*\\bversion (\\d+)$");

  /** Kept when the test fails: it holds every process's log. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path runDir;

  @AfterEach
  void stopWhateverIsLeft() {
    Result down = script("down");
    assertEquals(0, down.exitCode(), "down after the test\n" + down);
  }

  @Test
  void upServesEveryNodeAndDownStopsEveryProcessItStarted() throws Exception {
    Result up = script("up");
    assertEquals(0, up.exitCode(), "up\n" + up);

    Map<String, String> addresses = addresses();
    List<String> nodes = valuesOf(addresses, "NODE\\d+_WEB");
    assertAll(
        "the addresses file lists every part: " + addresses,
        () -> assertEquals(3, nodes.size(), "nodes"),
        () -> assertEquals(3, valuesOf(addresses, "NODE\\d+_ADMIN").size(), "node admin ports"),
        () -> assertEquals(2, valuesOf(addresses, "CP\\d+_DISCOVERY").size(), "replicas"),
        () -> assertEquals(3, valuesOf(addresses, "ETCD\\d+_CLIENT").size(), "etcd members"),
        () -> assertEquals(2, valuesOf(addresses, "BACKEND\\d+").size(), "backends"));

    List<Executable> perNode = new ArrayList<>();
    for (String node : nodes) {
      perNode.add(
          () -> {
            HttpResponse<String> api = get("http://" + node + "/api/anything");
            assertEquals(200, api.statusCode(), node + "/api/anything: " + api.body());
            assertEquals("hello", api.body().strip(), node + "/api/anything reaches a backend");
          });
      perNode.add(
          () -> {
            HttpResponse<String> root = get("http://" + node + "/");
            assertEquals(200, root.statusCode(), node + "/: " + root.body());
            assertTrue(
                root.body().startsWith("Hello from the Wharf node at " + node + "."),
                node + "/ says which node answered: " + root.body());
          });
    }
    assertAll("every node serves", perNode);

    String echoed = webSocketEcho("ws://" + nodes.get(1) + "/ws", "through wharf");
    assertEquals("through wharf", echoed, "WebSocket echo through " + nodes.get(1));

    Result status = script("status");
    assertEquals(0, status.exitCode(), "status\n" + status);
    Map<String, Long> versions = new TreeMap<>();
    Matcher m = NODE_STATUS.matcher(status.stdout());
    while (m.find()) {
      versions.put(m.group(1), Long.parseLong(m.group(2)));
    }
    assertEquals(3, versions.size(), "3 nodes running with a version\n" + status);
    assertEquals(
        1, new TreeSet<>(versions.values()).size(), "one version on all nodes: " + versions);
    assertTrue(versions.values().iterator().next() > 0, "a committed version: " + versions);

    // The replicas serve the Admin API to loopback callers: wharfctl sees the whole fleet.
    Result fleet =
        CommandRunner.run(
            COMMAND_BOUND,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar").toString(),
                "nodes",
                "--server",
                addresses.get("CONTROL_PLANE")),
            Map.of("WHARFCTL_CONFIG", runDir.resolve("no-wharfctl.yaml").toString()));
    assertEquals(0, fleet.exitCode(), fleet.toString());
    for (String node : List.of("node1", "node2", "node3")) {
      assertTrue(fleet.stdout().lines().anyMatch(l -> l.startsWith(node + " ")), fleet.stdout());
    }

    new LocalClusterOperatorPath(addresses.get("CONTROL_PLANE"), nodes.get(0), runDir).check();

    Map<String, Long> pids = pids();
    assertEquals(10, pids.size(), "a pid file per part: " + pids);
    pids.forEach((part, pid) -> assertTrue(isRunning(pid), part + " (pid " + pid + ") runs"));

    Result down = script("down");
    assertEquals(0, down.exitCode(), "down\n" + down);
    assertEquals(Map.of(), pids(), "down removes the pid files");
    Set<String> stillRunning = new TreeSet<>();
    pids.forEach(
        (part, pid) -> {
          if (isRunning(pid)) {
            stillRunning.add(part + " (pid " + pid + ")");
          }
        });
    assertEquals(Set.of(), stillRunning, "down returned while these still ran\n" + down);
    assertTrue(Files.isRegularFile(runDir.resolve("logs").resolve("node1.log")), "logs are kept");
    try (var logs = Files.list(runDir.resolve("logs"))) {
      for (Path log : logs.toList()) {
        String text = Files.readString(log);
        assertFalse(text.contains(JarProcess.LEAK_REPORT), log + " has a leak report:\n" + text);
      }
    }

    Result again = script("down");
    assertEquals(0, again.exitCode(), "a second down\n" + again);
    assertTrue(again.stdout().contains("already down"), again.stdout());
  }

  private Result script(String command) {
    // The script runs the JDK this test runs on, and never the caller's ports or run dir.
    Path javaBin = Path.of(System.getProperty("java.home"), "bin");
    Map<String, String> env =
        Map.of(
            "WHARF_LOCAL_DIR",
            runDir.toString(),
            "WHARF_LOCAL_PORTS",
            "auto",
            // The script's default flags plus Netty's leak detector at PARANOID; the logs are
            // checked for leak reports once "down" stopped every part.
            "WHARF_JAVA_OPTS",
            "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
                + "-Dio.netty.leakDetection.level=paranoid",
            "PATH",
            javaBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return CommandRunner.run(
        command.equals("up") ? UP_BOUND : COMMAND_BOUND,
        List.of("bash", SCRIPT.toString(), command),
        env);
  }

  /** The addresses file's KEY=VALUE lines, in file order. */
  private Map<String, String> addresses() throws IOException {
    Map<String, String> addresses = new LinkedHashMap<>();
    for (String line : Files.readAllLines(runDir.resolve("addresses"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        addresses.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return addresses;
  }

  private static List<String> valuesOf(Map<String, String> addresses, String keyRegex) {
    return addresses.entrySet().stream()
        .filter(e -> e.getKey().matches(keyRegex))
        .map(Map.Entry::getValue)
        .toList();
  }

  /** Part name to pid, from the run dir's pid files. */
  private Map<String, Long> pids() throws IOException {
    Path dir = runDir.resolve("pids");
    Map<String, Long> pids = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return pids;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".pid")) {
          pids.put(
              name.substring(0, name.length() - 4), Long.parseLong(Files.readString(file).strip()));
        }
      }
    }
    return pids;
  }

  /**
   * Whether the process still runs. One that exited but that init has not reaped yet (a zombie; the
   * script's children are orphans once it exits) has stopped, though {@link ProcessHandle} still
   * reports it alive.
   */
  private static boolean isRunning(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return Http.send(Http.request(URI.create(url)).timeout(REQUEST_TIMEOUT).build());
  }

  /** Opens a WebSocket, sends {@code text}, returns the first text message that comes back. */
  private String webSocketEcho(String url, String text) throws Exception {
    WsClient ws = WsClient.connect(URI.create(url));
    try {
      ws.send(s -> s.sendText(text, true));
      return (String) ws.nextMessage(REQUEST_TIMEOUT);
    } finally {
      ws.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }
}
