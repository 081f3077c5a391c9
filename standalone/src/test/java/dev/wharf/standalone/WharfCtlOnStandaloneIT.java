package dev.wharf.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real wharfctl jar against the real standalone jar, as an operator runs them: version (the
 * client's and the server's, through GetServerInfo), get with several names and -o name, and
 * explain, which needs no server.
 */
class WharfCtlOnStandaloneIT {
  private static final Path STANDALONE = Path.of("target", "wharf-standalone.jar");
  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Path DEMO = Path.of("../deploy/examples/demo.yaml");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void versionGetAndExplainAgainstARunningStandalone() throws Exception {
    Path config = dir.resolve("demo.yaml");
    try (StandaloneOnFreePorts run =
        StandaloneOnFreePorts.start(
            2, // listeners; the admin and the Admin API bind port 0 and print theirs
            ports ->
                Files.writeString(
                    config,
                    Files.readString(DEMO)
                        .replace("port: 8080", "port: " + ports.get(0))
                        .replace("8081", Integer.toString(ports.get(1)))),
            file ->
                JarProcess.startJar(
                    "standalone",
                    dir,
                    STANDALONE,
                    List.of(
                        "--config",
                        file.toString(),
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--admin",
                        "127.0.0.1:0",
                        "--admin-api",
                        "127.0.0.1:0",
                        "--workers",
                        "1")),
            TIMEOUT,
            dir.resolve("data"))) {
      JarProcess wharf = run.wharf();
      wharf.awaitLine("wharf 0.1.0-SNAPSHOT standalone:", TIMEOUT);
      String server = wharf.awaitLine("admin api:", TIMEOUT);

      Result version = wharfctl("version", "--server", server);
      assertEquals(0, version.exitCode(), version.toString());
      assertTrue(
          version.stdout().startsWith("Client Version: 0.1.0-SNAPSHOT\nClient Runtime: Java "),
          version.stdout());
      assertTrue(version.stdout().contains("\nServer Version: 0.1.0-SNAPSHOT\n"), version.stdout());
      assertTrue(version.stdout().contains("\nServer Store:   file\n"), version.stdout());

      Result names =
          wharfctl("get", "routes", "api", "nope", "hello", "-o", "name", "--server", server);
      assertEquals(1, names.exitCode(), names.toString());
      assertEquals("route/api\nroute/hello\n", names.stdout());
      assertEquals("error: no route named 'nope'\n", names.stderr());

      Result path =
          wharfctl("get", "upstreams", "-o", "jsonpath={.items[*].name}", "--server", server);
      assertEquals(0, path.exitCode(), path.toString());
      assertEquals("app echo", path.stdout());
    }

    Result explain = wharfctl("explain", "route.proxy.upstream");
    assertEquals(0, explain.exitCode(), explain.toString());
    assertTrue(
        explain.stdout().startsWith("KIND:     route\nFIELD:    proxy.upstream <string>\n"),
        explain.stdout());
    Result unknown = wharfctl("explain", "route.nope");
    assertEquals(1, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.stderr().startsWith("error: no field 'nope' in route "), unknown.stderr());
    assertEquals(1, unknown.stderr().lines().count(), unknown.stderr());
  }

  private Result wharfctl(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString()));
    command.addAll(List.of(args));
    return CommandRunner.run(
        TIMEOUT, command, Map.of("WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString()));
  }
}
