package dev.wharf.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real control-plane jar: a replica on its embedded store (standalone has its own). */
class ControlPlaneJarIT {
  private static final Path JAR = Path.of("target", "wharf-control-plane.jar");
  private static final Path DEMO = Path.of("../deploy/examples/demo.yaml");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int SIGTERM_EXIT = 143;
  private static final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void theRunnableJarStartsAndIdentifiesItself() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharf-control-plane 0.1.0-SNAPSHOT\nJava "), r.stdout());
  }

  @Test
  void aReplicaWithoutCredentialsRefusesToListenBeyondLoopback() {
    Result r =
        CommandRunner.runJar(
            TIMEOUT, JAR, "--listen", "0.0.0.0:0", "--data-dir", dir.resolve("data").toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(
        r.stderr().startsWith("error: --listen 0.0.0.0:0 is not a loopback address"), r.stderr());
  }

  @Test
  void aReplicaOnTheEmbeddedStoreBootstrapsItsConfigAndServesMetrics() throws Exception {
    try (JarProcess replica =
        JarProcess.startJar(
            "cp",
            dir,
            JAR,
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--replica-id",
                "cp-1",
                "--data-dir",
                dir.resolve("data").toString(),
                "--bootstrap-config",
                DEMO.toString()))) {
      assertEquals("cp-1", replica.awaitLine("replica:", TIMEOUT));
      assertTrue(replica.awaitLine("discovery:", TIMEOUT).startsWith("127.0.0.1:"));
      String metrics = "http://" + replica.awaitLine("metrics:", TIMEOUT);

      assertEquals(200, get(metrics + "/readyz").statusCode());
      String scrape = get(metrics + "/metrics").body();
      assertTrue(scrape.contains("wharf_cp_config_version 1.0"), scrape);
      assertTrue(scrape.contains("wharf_cp_connected_nodes 0.0"), scrape);
      // the jar's manifest gives the version; the process's own meters are there
      assertTrue(
          Pattern.compile(
                  "(?m)^wharf_build_info\\{commit=\"[^\"]+\",java=\"[^\"]+\",version=\"(?!dev\")[^\"]+\"\\} 1$")
              .matcher(scrape)
              .find(),
          scrape);
      assertTrue(
          Pattern.compile("(?m)^process_files_open_files [1-9]").matcher(scrape).find(), scrape);
      assertTrue(replica.output().contains("bootstrapped version 1 from " + DEMO));
      assertEquals(SIGTERM_EXIT, replica.stop(Duration.ofSeconds(20)), replica.output());
      assertTrue(replica.output().contains("control-plane replica stopped"), replica.output());
    }
  }

  @Test
  void adminHttpServesTheAdminApiAsJsonWithTheSameTokens() throws Exception {
    Path tokens = Files.writeString(dir.resolve("http-tokens"), "viewer v-t0ken grafana\n");
    try (JarProcess replica =
        JarProcess.startJar(
            "cp-http",
            dir,
            JAR,
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--admin-http",
                "127.0.0.1:0",
                "--token-file",
                tokens.toString(),
                "--data-dir",
                dir.resolve("data").toString(),
                "--bootstrap-config",
                DEMO.toString()))) {
      String api = "http://" + replica.awaitLine("admin http:", TIMEOUT);
      assertEquals(401, get(api + "/v1/config").statusCode());
      HttpResponse<String> config =
          http.send(
              HttpRequest.newBuilder(URI.create(api + "/v1/config"))
                  .header("Authorization", "Bearer v-t0ken")
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, config.statusCode(), config.body());
      assertEquals("\"1\"", config.headers().firstValue("ETag").orElse(""));
      assertTrue(config.body().contains("\"config\""), config.body());
      assertEquals(SIGTERM_EXIT, replica.stop(Duration.ofSeconds(20)), replica.output());
    }
  }

  @Test
  void adminHttpBeyondLoopbackNeedsCredentials() {
    Result r =
        CommandRunner.runJar(
            TIMEOUT,
            JAR,
            "--admin-http",
            "0.0.0.0:0",
            "--data-dir",
            dir.resolve("data").toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(
        r.stderr().startsWith("error: --admin-http 0.0.0.0:0 is not a loopback address"),
        r.stderr());
  }

  @Test
  void tlsFlagsThatDoNotGoTogetherAreAUsageError() {
    Result r =
        CommandRunner.runJar(
            TIMEOUT, JAR, "--tls-cert", "cert.pem", "--data-dir", dir.resolve("data").toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("error: --tls-cert and --tls-key go together\n", r.stderr());
  }

  @Test
  void requireBoundNodeTokensRefusesATokenFileWithAnUnboundNodeLine() throws Exception {
    Path tokens =
        Files.writeString(
            dir.resolve("tokens"),
            "admin a-t0ken ops\nnode n-t0ken edge-1,edge-2\n# older nodes\nn2-t0ken\n");

    Result r =
        CommandRunner.runJar(
            TIMEOUT,
            JAR,
            "--token-file",
            tokens.toString(),
            "--require-bound-node-tokens",
            "--data-dir",
            dir.resolve("data").toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: --token-file: "
            + tokens
            + " line 4: node token bound to no node id, "
            + "refused by --require-bound-node-tokens (expected: node TOKEN NODE-ID[,NODE-ID...])\n",
        r.stderr());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
