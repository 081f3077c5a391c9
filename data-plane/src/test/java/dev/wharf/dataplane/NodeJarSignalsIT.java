package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node jar answers the signals logrotate and nohup send as nginx does, not by dying. */
class NodeJarSignalsIT {
  private static final Path JAR = Path.of("target", "wharf-data-plane.jar");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void sigusr1ReopensTheAccessLogAfterLogrotateMovedItAndTheNodeGoesOn() throws Exception {
    List<Integer> ports = new ArrayList<>();
    Path log = dir.resolve("access.log");
    try (JarProcess node = startDemo(log.toString(), List.of(), ports)) {
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      assertEquals(200, Http.get(URI.create(home + "?before")).statusCode());
      Await.until(TIMEOUT, () -> read(log).contains("GET /?before "), () -> read(log));
      Path rotated = Files.move(log, dir.resolve("access.log.1"));

      kill("-USR1", node);
      node.awaitLineContaining("SIGUSR1: reopening 1 access log file(s)", TIMEOUT);
      assertEquals(200, Http.get(URI.create(home + "?after")).statusCode());

      Await.until(TIMEOUT, () -> read(log).contains("GET /?after "), () -> read(log));
      assertFalse(read(rotated).contains("?after"), read(rotated));
      assertTrue(node.isAlive(), node.output());
      assertEquals(143, node.stop(Duration.ofSeconds(20)), node.output());
    }
  }

  /**
   * The logrotate config shipped in {@code deploy/systemd}, run by the real {@code logrotate} with
   * its paths moved into a temporary directory and its {@code systemctl kill} replaced by a {@code
   * kill} of this node: while a client keeps sending requests, every request's line is in exactly
   * one of the rotated and the new file.
   */
  @Test
  void theShippedLogrotateConfigRotatesWhileRequestsFlowAndLosesNoLine() throws Exception {
    Path logrotate = MissingTool.require("logrotate");
    List<Integer> ports = new ArrayList<>();
    Path logs = Files.createDirectory(dir.resolve("logs")); // the node's own output stays out
    Path log = logs.resolve("access.log");
    try (JarProcess node = startDemo(log.toString(), List.of(), ports)) {
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      Path config = shippedLogrotateConfig(logs, node);
      ExecutorService client = Executors.newSingleThreadExecutor();
      AtomicBoolean rotated = new AtomicBoolean();
      Future<Integer> sent =
          client.submit(
              () -> {
                int n = 0;
                // keep going through the rotation, and for 20 requests after the reopen
                for (int after = 0; after < 20; n++) {
                  assertEquals(200, Http.get(URI.create(home + "?n=" + n)).statusCode());
                  after += rotated.get() ? 1 : 0;
                }
                return n;
              });
      Await.until(TIMEOUT, () -> read(log).contains("GET /?n=10 "), () -> read(log));
      CommandRunner.Result run =
          CommandRunner.run(
              TIMEOUT,
              List.of(
                  logrotate.toString(), "-f", "-s", dir.resolve("state").toString(), "" + config));
      assertEquals(0, run.exitCode(), run.toString());
      node.awaitLineContaining("SIGUSR1: reopening 1 access log file(s)", TIMEOUT);
      rotated.set(true);
      int requests = sent.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      client.shutdown();

      Path old = logs.resolve("access.log.1");
      Await.until(
          TIMEOUT, () -> read(log).contains("GET /?n=" + (requests - 1) + " "), () -> read(log));
      String both = read(old) + read(log);
      for (int n = 0; n < requests; n++) {
        String line = "GET /?n=" + n + " ";
        assertEquals(1, both.split(Pattern.quote(line), -1).length - 1, line + "in\n" + both);
      }
      assertTrue(read(old).contains("GET /?n=0 "), "the rotated file has the first lines");
      assertTrue(node.isAlive(), node.output());
    }
  }

  /** deploy/systemd/wharf.logrotate, for the files in {@code logs}, signalling {@code node}. */
  private Path shippedLogrotateConfig(Path logs, JarProcess node) throws IOException {
    String shipped = Files.readString(Path.of("../deploy/systemd/wharf.logrotate"));
    String systemctl =
        "systemctl kill --signal=USR1 wharf-node.service wharf-standalone.service 2>/dev/null"
            + " || true";
    assertTrue(shipped.contains(systemctl), shipped);
    assertTrue(shipped.contains("/var/log/wharf/*.log {"), shipped);
    assertTrue(shipped.contains("    su wharf wharf\n"), shipped);
    Path config = dir.resolve("wharf.logrotate");
    Files.writeString(
        config,
        shipped
            .replace("/var/log/wharf/*.log {", logs + "/*.log {")
            .replace("    su wharf wharf\n", "")
            .replace(systemctl, "kill -USR1 " + node.pid()));
    return config;
  }

  @Test
  void underNohupTheNodeSaysOnceThatSighupReloadsNothingAndTheWatchStillApplies() throws Exception {
    List<Integer> ports = new ArrayList<>();
    try (JarProcess node = startDemo("stdout", List.of("nohup"), ports)) {
      Path config = dir.resolve("demo.yaml");
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      Await.until(
          TIMEOUT,
          () -> node.countLinesContaining("SIGHUP cannot be handled in this process") == 1,
          node::output);

      kill("-HUP", node);
      Files.writeString(config, Files.readString(config).replace("Hello from", "Edited in"));
      Await.until(TIMEOUT, () -> body(home).startsWith("Edited in Wharf."), node::output);
      assertTrue(node.isAlive(), node.output());
    }
  }

  /**
   * The demo node on two fresh listener ports (its admin binds port 0), once it says it listens;
   * when a port was taken before the node bound it, the node exits saying so and is started again
   * on others. {@code ports} receives the listener ports it bound.
   */
  private JarProcess startDemo(String accessLog, List<String> prefix, List<Integer> ports)
      throws Exception {
    return FreePorts.retryWhenTaken(
        2,
        fresh -> {
          JarProcess node =
              JarProcess.startJar("node", dir, JAR, args(demoOn(fresh, accessLog)), prefix);
          try {
            node.awaitLine("listening: echo", TIMEOUT);
          } catch (RuntimeException | AssertionError e) {
            node.close();
            throw e;
          }
          ports.clear();
          ports.addAll(fresh);
          return node;
        });
  }

  private static List<String> args(Path config) {
    return List.of(
        "--config",
        config.toString(),
        "--workers",
        "1",
        "--drain-grace",
        "0s",
        "--admin",
        "127.0.0.1:0");
  }

  private Path demoOn(List<Integer> ports, String accessLog) throws IOException {
    Path config = dir.resolve("demo.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("../deploy/examples/demo.yaml"))
            .replace("port: 8080", "port: " + ports.get(0))
            .replace("8081", Integer.toString(ports.get(1)))
            .replace("path: stdout", "path: " + accessLog));
    return config;
  }

  private static void kill(String signal, JarProcess process) {
    assertEquals(
        0,
        CommandRunner.run(TIMEOUT, List.of("kill", signal, Long.toString(process.pid())))
            .exitCode());
  }

  private static String body(String url) {
    try {
      return Http.get(URI.create(url)).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
