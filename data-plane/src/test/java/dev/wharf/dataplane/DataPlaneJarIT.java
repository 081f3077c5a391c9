package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.discovery.SnapshotFile;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.RefusingPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real data-plane jar: its Netty natives and config reading work once shaded. */
class DataPlaneJarIT {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Path JAR = Path.of("target", "wharf-data-plane.jar");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String PARANOID = "-Dio.netty.leakDetection.level=paranoid";

  @Test
  void theRunnableJarFindsTheNativeEpollTransport() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharf-data-plane 0.1.0-SNAPSHOT\n"), r.stdout());
    if (System.getProperty("os.name").equals("Linux")
        && Set.of("amd64", "aarch64").contains(System.getProperty("os.arch"))) {
      assertTrue(r.stdout().contains("Netty transport: epoll (native)"), r.stdout());
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return Http.get(URI.create(url));
  }

  @Test
  void checkOnlyValidatesTheDemoConfigAndExits() {
    Result r =
        CommandRunner.runJar(TIMEOUT, JAR, "--config", "../deploy/examples/demo.yaml", "--check");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        "../deploy/examples/demo.yaml: valid (2 listeners, 2 upstreams (2 endpoints), "
            + "5 routes)\n",
        r.stdout());
  }

  @Test
  void theDemoConfigIsServedUntilSigterm(@TempDir Path dir) throws Exception {
    // Listeners: the validator refuses port 0. On a port taken before the node bound it, the node
    // says so and the whole run is repeated on other ports.
    FreePorts.retryWhenTaken(
        2,
        ports -> {
          demoServedUntilSigterm(dir, ports);
          return null;
        });
  }

  private void demoServedUntilSigterm(Path dir, List<Integer> ports) throws Exception {
    int port = ports.get(0);
    Path config = dir.resolve("demo.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("../deploy/examples/demo.yaml"))
            .replace("port: 8080", "port: " + port)
            .replace("8081", Integer.toString(ports.get(1))));
    Process node =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    PARANOID,
                    "-jar",
                    JAR.toString(),
                    "--config",
                    config.toString(),
                    "--workers",
                    "1",
                    "--drain-grace",
                    "0s",
                    "--admin",
                    "127.0.0.1:0"))
            .redirectError(dir.resolve("stderr.log").toFile())
            .start();
    try {
      BlockingQueue<String> lines = lines(node);
      String line;
      String admin = null;
      do {
        line = nextLine(lines, dir); // bounded: a node that never says it listens fails here
        if (line.startsWith("admin: ")) {
          admin = "http://" + line.substring("admin: ".length()); // the port it bound
        }
      } while (!line.startsWith("listening: echo"));
      assertNotNull(admin, "no admin: line before the listeners");

      HttpResponse<String> r = get("http://127.0.0.1:" + port + "/");

      assertEquals(200, r.statusCode());
      assertEquals("Hello from Wharf. You asked for / from 127.0.0.1.\n", r.body());

      HttpResponse<String> proxied = get("http://127.0.0.1:" + port + "/api/users?id=3");
      assertEquals(200, proxied.statusCode());
      assertEquals(
          "The echo listener got /users?id=3 with X-Real-IP 127.0.0.1 and "
              + "X-Forwarded-For 127.0.0.1.\n",
          proxied.body());
      assertEquals(
          "127.0.0.1:" + ports.get(1), proxied.headers().firstValue("x-upstream").orElseThrow());

      assertEquals(200, get(admin + "/readyz").statusCode());
      String metrics = get(admin + "/metrics").body();
      assertTrue(
          metrics.contains(
              "wharf_requests_total{listener=\"demo\",protocol=\"http/1.1\",route=\"api\",status=\"200\",status_class=\"2xx\"} 1.0"),
          metrics);
      // the jar's manifest gives the version; the process's own meters are there
      assertTrue(
          Pattern.compile(
                  "(?m)^wharf_build_info\\{commit=\"[^\"]+\",java=\"[^\"]+\",version=\"(?!dev\")[^\"]+\"\\} 1$")
              .matcher(metrics)
              .find(),
          metrics);
      assertTrue(
          Pattern.compile("(?m)^process_files_open_files [1-9]").matcher(metrics).find(), metrics);
      assertTrue(get(admin + "/config").body().contains("name: old-docs"));
    } finally {
      stopAndCheckForLeaks(node, dir);
    }
  }

  @Test
  void withNeitherConfigNorControlPlaneTheJarExits2AndSaysWhatToGive() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR);

    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(
        r.stderr()
            .startsWith(
                "error: give either --config FILE (serve a local config "
                    + "file) or --control-plane HOST:PORT[,HOST:PORT...] (take config from the control "
                    + "plane)\n"),
        r.stderr());
  }

  @Test
  void withNoControlPlaneReachableTheJarServesTheSavedSnapshot(@TempDir Path dir) throws Exception {
    // The listener's port is in the snapshot: on one taken before the node bound it, the node says
    // so and the whole run is repeated on another.
    FreePorts.retryWhenTaken(
        1,
        ports -> {
          savedSnapshotServed(dir, ports.get(0));
          return null;
        });
  }

  private void savedSnapshotServed(Path dir, int port) throws Exception {
    int closed = refusing.port(); // held, never listening: the control plane is unreachable
    SnapshotFile saved = SnapshotFile.in(dir.resolve("state"));
    saved.write(
        Snapshot.newBuilder()
            .setVersion(12)
            .setNonce("n12")
            .setConfig(
                ConfigDocuments.load(
                    """
            listeners:
              - {name: web, address: 127.0.0.1, port: %d}
            routes:
              - {name: all, match: {path: {prefix: /}}, respond: {body: from the saved snapshot}}
            """
                        .formatted(port),
                    "test"))
            .build());
    Process node =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    PARANOID,
                    "-jar",
                    JAR.toString(),
                    "--control-plane",
                    "127.0.0.1:" + closed,
                    "--state-dir",
                    dir.resolve("state").toString(),
                    "--node-id",
                    "jar-node",
                    "--workers",
                    "1",
                    "--admin",
                    "127.0.0.1:0",
                    "--drain-grace",
                    "0s"))
            .redirectError(dir.resolve("stderr.log").toFile())
            .start();
    try {
      BlockingQueue<String> lines = lines(node);
      String admin = nextLine(lines, dir);
      assertTrue(admin.startsWith("admin: 127.0.0.1:"), admin);
      assertEquals("node jar-node: control plane at 127.0.0.1:" + closed, nextLine(lines, dir));
      assertEquals(
          "applied version 12 from " + saved.path() + ": web on 127.0.0.1:" + port,
          nextLine(lines, dir));

      HttpResponse<String> r = get("http://127.0.0.1:" + port + "/");

      assertEquals(200, r.statusCode());
      assertEquals("from the saved snapshot", r.body());
      String adminUrl = "http://" + admin.substring("admin: ".length());
      assertEquals(200, get(adminUrl + "/readyz").statusCode());
      String metrics = get(adminUrl + "/metrics").body();
      assertTrue(metrics.contains("wharf_discovery_connected 0.0"), metrics);
      assertTrue(
          metrics.contains("wharf_discovery_snapshots_total{result=\"applied\"} 1.0"), metrics);
    } finally {
      stopAndCheckForLeaks(node, dir);
    }
  }

  /** SIGTERM; fails when the node does not stop or its log (stderr) has a Netty leak report. */
  private static void stopAndCheckForLeaks(Process node, Path dir) throws Exception {
    node.destroy();
    assertTrue(node.waitFor(20, TimeUnit.SECONDS), "the node did not stop after SIGTERM");
    String log = Files.readString(dir.resolve("stderr.log"));
    assertFalse(log.contains(JarProcess.LEAK_REPORT), "the node leaked a buffer:\n" + log);
  }

  /** The process's stdout, line by line, read on a thread of its own so no read can hang. */
  private static BlockingQueue<String> lines(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "jar-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /**
   * The next stdout line, within {@link #TIMEOUT}; at once an exception {@link
   * FreePorts#isAddressInUse} recognises when the node's log says a port was taken (so a test on
   * fresh ports starts again on others instead of waiting for a line that will not come).
   */
  private static String nextLine(BlockingQueue<String> lines, Path dir) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        return line;
      }
      String stderr = Files.readString(dir.resolve("stderr.log"));
      if (FreePorts.isAddressInUse(new IllegalStateException(stderr))) {
        throw new IllegalStateException("a port was taken; stderr: " + stderr);
      }
      assertTrue(System.nanoTime() < deadline, "no line within " + TIMEOUT + "; stderr: " + stderr);
    }
  }
}
