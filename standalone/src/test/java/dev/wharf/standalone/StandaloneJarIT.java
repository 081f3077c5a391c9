package dev.wharf.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.DocumentLimits;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetConfigResponse;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.MissingTool;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real standalone jar: the control plane on its embedded store and a node, one process.
 */
class StandaloneJarIT {
  private static final Path JAR = Path.of("target", "wharf-standalone.jar");
  private static final Path DEMO = Path.of("../deploy/examples/demo.yaml");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int SIGTERM_EXIT = 143;

  @TempDir Path dir;

  @Test
  void theRunnableJarStartsAndIdentifiesItself() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharf-standalone 0.1.0-SNAPSHOT\nJava "), r.stdout());
  }

  @Test
  void standaloneServesTheDemoAndCommitsEveryGoodEditOfTheFile() throws Exception {
    Path data = dir.resolve("data");
    try (StandaloneOnFreePorts run = startDemo(data, List.of())) {
      JarProcess wharf = run.wharf();
      Path config = run.config();
      List<Integer> ports = run.ports();
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      assertEquals(
          "version 1, data in " + data.toAbsolutePath(),
          wharf.awaitLine("wharf 0.1.0-SNAPSHOT standalone:", TIMEOUT));
      assertEquals("demo on 127.0.0.1:" + ports.get(0), wharf.awaitLine("listening:", TIMEOUT));
      assertEquals("Hello from Wharf. You asked for / from 127.0.0.1.\n", get(home).body());
      HttpResponse<String> proxied = get(home + "api/users?id=3");
      assertEquals(200, proxied.statusCode());
      assertTrue(proxied.body().startsWith("The echo listener got /users?id=3"), proxied.body());

      Files.writeString(config, Files.readString(config).replace("Hello from Wharf.", "Edited."));
      wharf.awaitLine("applied version 2", TIMEOUT);
      assertEquals("Edited. You asked for / from 127.0.0.1.\n", get(home).body());

      Files.writeString(
          config, Files.readString(config).replace("upstream: echo", "upstream: nowhere"));
      wharf.awaitLineContaining("not applied, keeping the current version", TIMEOUT);
      assertEquals("Edited. You asked for / from 127.0.0.1.\n", get(home).body());
      assertEquals(
          0,
          CommandRunner.run(TIMEOUT, List.of("kill", "-HUP", Long.toString(wharf.pid())))
              .exitCode());
      wharf.awaitLineContaining("SIGHUP: reading", TIMEOUT);
      // SIGHUP reads the file again (and refuses it again) instead of stopping Wharf.
      Await.until(
          TIMEOUT,
          () -> wharf.countLinesContaining("not applied, keeping the current version") == 2,
          wharf::output);
      assertTrue(wharf.isAlive());
      String admin = "http://" + wharf.awaitLine("admin:", TIMEOUT);
      assertEquals(
          "2", get(admin + "/config").headers().firstValue("x-wharf-config-version").orElseThrow());
      String scrape = get(admin + "/metrics").body();
      assertTrue(scrape.contains("wharf_cp_acks_total 2.0"), scrape);
      // the jar's manifest gives the version; the process's own meters are there
      assertTrue(
          Pattern.compile(
                  "(?m)^wharf_build_info\\{commit=\"[^\"]+\",java=\"[^\"]+\",version=\"(?!dev\")[^\"]+\"\\} 1$")
              .matcher(scrape)
              .find(),
          scrape);
      assertTrue(
          Pattern.compile("(?m)^process_files_open_files [1-9]").matcher(scrape).find(), scrape);

      assertEquals(SIGTERM_EXIT, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  @Test
  void hostileEditsAreRefusedNamingTheLimitAndTheNextGoodEditIsStillCommitted() throws Exception {
    try (StandaloneOnFreePorts run = startDemo(dir.resolve("data"), List.of())) {
      JarProcess wharf = run.wharf();
      Path config = run.config();
      List<Integer> ports = run.ports();
      String demo = Files.readString(config);
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      wharf.awaitLine("listening:", TIMEOUT);

      // Once a StackOverflowError that ended the file watch: no edit was applied after it.
      replace(config, "listeners: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
      wharf.awaitLineContaining(
          "(document): lists and mappings nested more than 64 deep, the "
              + "limit for a config document (line 1)",
          TIMEOUT);
      replace(config, "#".repeat(DocumentLimits.MAX_BYTES) + "\n");
      wharf.awaitLineContaining(
          "(document): larger than 16777216 bytes (16 MiB), the limit for " + "a config document",
          TIMEOUT);
      assertEquals(
          0,
          CommandRunner.run(TIMEOUT, List.of("kill", "-HUP", Long.toString(wharf.pid())))
              .exitCode());
      Await.until(
          TIMEOUT,
          () -> wharf.countLinesContaining("larger than 16777216 bytes") == 2,
          wharf::output);

      replace(config, demo.replace("Hello from Wharf.", "Edited after the hostile ones."));
      wharf.awaitLine("applied version 2", TIMEOUT);
      assertEquals(
          "Edited after the hostile ones. You asked for / from 127.0.0.1.\n", get(home).body());
      assertTrue(wharf.isAlive());
      assertEquals(SIGTERM_EXIT, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  /** Replaces {@code file} in one step, so the watcher never reads it half-written. */
  private void replace(Path file, String text) throws Exception {
    Path next = dir.resolve("next.yaml");
    Files.writeString(next, text);
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void standaloneServesTheAdminApiToLoopbackCallersWithoutAToken() throws Exception {
    try (StandaloneOnFreePorts run = startDemo(dir.resolve("data"), List.of())) {
      JarProcess wharf = run.wharf();
      Path config = run.config();
      List<Integer> ports = run.ports();
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      String[] api = wharf.awaitLine("admin api:", TIMEOUT).split(":");
      assertTrue(wharf.awaitLine("auth:", TIMEOUT).startsWith("loopback callers only"));
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(api[0], Integer.parseInt(api[1])).usePlaintext().build();
      try {
        AdminGrpc.AdminBlockingStub admin =
            AdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        GetConfigResponse current = admin.getConfig(GetConfigRequest.getDefaultInstance());
        assertEquals(1, current.getVersion());

        Config edited =
            ConfigDocuments.load(
                Files.readString(config).replace("Hello from Wharf.", "Set through the Admin API."),
                "edited.yaml");
        long version =
            admin
                .apply(ApplyRequest.newBuilder().setExpectedVersion(1).setConfig(edited).build())
                .getVersion();

        wharf.awaitLine("applied version " + version, TIMEOUT);
        assertEquals(
            "Set through the Admin API. You asked for / from 127.0.0.1.\n", get(home).body());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertEquals(SIGTERM_EXIT, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  @Test
  void standaloneServesTheAdminApiAsHttpJsonToCurlWithAdminHttp() throws Exception {
    Path curl = MissingTool.require("curl");
    try (StandaloneOnFreePorts run =
        startDemo(dir.resolve("data"), List.of("--admin-http", "127.0.0.1:0"))) {
      JarProcess wharf = run.wharf();
      String api = "http://" + wharf.awaitLine("admin http:", TIMEOUT) + "/v1/";
      Result config1 =
          CommandRunner.run(TIMEOUT, List.of(curl.toString(), "-sS", "-i", api + "config"));
      assertTrue(config1.stdout().startsWith("HTTP/1.1 200"), config1::toString);
      assertTrue(
          config1.stdout().toLowerCase(java.util.Locale.ROOT).contains("etag: \"1\""),
          config1::toString);

      Result put =
          CommandRunner.run(
              TIMEOUT,
              List.of(
                  curl.toString(),
                  "-sS",
                  "-i",
                  "-X",
                  "PUT",
                  "-H",
                  "If-Match: \"1\"",
                  "--data-binary",
                  "{\"endpoints\":[{\"address\":\"127.0.0.1:9\"}]}",
                  api + "upstreams/spare"));
      assertTrue(put.stdout().startsWith("HTTP/1.1 200"), put::toString);
      wharf.awaitLine("applied version 2", TIMEOUT);

      Result stale =
          CommandRunner.run(
              TIMEOUT,
              List.of(
                  curl.toString(),
                  "-sS",
                  "-i",
                  "-X",
                  "DELETE",
                  "-H",
                  "If-Match: 1",
                  api + "upstreams/spare"));
      assertTrue(stale.stdout().startsWith("HTTP/1.1 409"), stale::toString);
      assertEquals(SIGTERM_EXIT, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  @Test
  void standaloneRestartedOnTheSameFileKeepsItsVersion() throws Exception {
    Path data = dir.resolve("data");
    Path config;
    try (StandaloneOnFreePorts run = startDemo(data, List.of())) {
      config = run.config();
      assertEquals(
          "version 1, data in " + data.toAbsolutePath(),
          run.wharf().awaitLine("wharf 0.1.0-SNAPSHOT standalone:", TIMEOUT),
          "run 1");
      run.wharf().stop(Duration.ofSeconds(20));
    }
    try (JarProcess wharf = standalone(config, data)) {
      assertEquals(
          "version 1, data in " + data.toAbsolutePath(),
          wharf.awaitLine("wharf 0.1.0-SNAPSHOT standalone:", TIMEOUT),
          "run 2");
      wharf.stop(Duration.ofSeconds(20));
    }
  }

  @Test
  void standaloneRefusesAnInvalidFileNamingEachField() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: 70000}
        routes:
          - {name: r, listeners: [web], match: {path: {prefix: /}}, proxy: {upstream: none}}
        """);

    Result r =
        CommandRunner.runJar(
            TIMEOUT,
            JAR,
            "--config",
            config.toString(),
            "--data-dir",
            dir.resolve("data").toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().startsWith("error: 2 errors in the config:\n"), r.stderr());
    assertTrue(r.stderr().contains("listeners[0].port: 70000"), r.stderr());
    assertTrue(r.stderr().contains("routes[0].proxy.upstream"), r.stderr());
    assertTrue(Files.notExists(dir.resolve("data")), "nothing is written for a refused file");
  }

  @Test
  void standaloneSaysWhyWhenTheNodeCannotServeTheConfig() throws Exception {
    // Held on a port the kernel picked: nothing else can have it, nothing can take it meanwhile.
    try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        var echo = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path config = demoOn(port, echo.getLocalPort());

      Result r =
          CommandRunner.runJar(
              TIMEOUT,
              JAR,
              "--config",
              config.toString(),
              "--data-dir",
              dir.resolve("data").toString(),
              "--admin",
              "127.0.0.1:0",
              "--admin-api",
              "127.0.0.1:0");

      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(
          r.stderr().contains(" cannot be served: listener demo: cannot bind 127.0.0.1:" + port),
          r.stderr());
    }
  }

  /** The demo on two fresh listener ports, listening (see {@link StandaloneOnFreePorts}). */
  private StandaloneOnFreePorts startDemo(Path data, List<String> extra) throws Exception {
    return StandaloneOnFreePorts.start(
        2,
        ports -> demoOn(ports.get(0), ports.get(1)),
        config -> standalone(config, data, extra),
        TIMEOUT,
        data);
  }

  private JarProcess standalone(Path config, Path data) throws Exception {
    return standalone(config, data, List.of());
  }

  private JarProcess standalone(Path config, Path data, List<String> extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(standaloneArgs(config, data));
    args.addAll(extra);
    return JarProcess.startJar("standalone", dir, JAR, args);
  }

  /** The admin binds port 0: it prints the port it bound ({@code admin: HOST:PORT}). */
  private static List<String> standaloneArgs(Path config, Path data) {
    return List.of(
        "--config",
        config.toString(),
        "--data-dir",
        data.toString(),
        "--admin",
        "127.0.0.1:0",
        "--admin-api",
        "127.0.0.1:0",
        "--workers",
        "1");
  }

  private Path demoOn(int port, int echoPort) throws Exception {
    Path config = dir.resolve("demo.yaml");
    Files.writeString(
        config,
        Files.readString(DEMO)
            .replace("port: 8080", "port: " + port)
            .replace("8081", Integer.toString(echoPort)));
    return config;
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return Http.get(URI.create(url));
  }
}
