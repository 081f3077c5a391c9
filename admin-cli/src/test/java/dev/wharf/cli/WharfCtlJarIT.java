package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.RefusingPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code wharfctl} jar, as an operator would, and reads what it prints. */
class WharfCtlJarIT {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Path JAR = Path.of("target", "wharf-admin-cli.jar");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void validateAcceptsTheDemoConfigAndSaysWhatItHolds() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "validate", "-f", "../deploy/examples/demo.yaml");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        "../deploy/examples/demo.yaml: valid (2 listeners, 2 upstreams (2 endpoints), "
            + "5 routes)\n",
        r.stdout());
  }

  @Test
  void validateListsEveryErrorAndExitsWithOne(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(
        broken,
        """
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        routes:
          - name: a
            match: {path: {regex: "^/(x"}}
            proxy: {upstream: nope, connect_timeout: -1s}
          - name: a
            match: {path: {prefix: /}}
            respond: {status: 200}
        """);

    Result r = CommandRunner.runJar(TIMEOUT, JAR, "validate", "-f", broken.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        broken
            + ": 4 errors\n"
            + "  route a: routes[1].name: 'a' is already the name of routes[0] (line 8)\n"
            + "  route a: routes[0].match.path.regex: unclosed group near index 4 (line 6)\n"
            + "  route a: routes[0].proxy.upstream: no upstream named 'nope' (known: api) (line"
            + " 7)\n"
            + "  route a: routes[0].proxy.connect_timeout: -1s (expected: > 0) (line 7)\n",
        r.stderr());
    assertEquals("", r.stdout());
  }

  @Test
  void aMissingFileIsOneLineAndExitOneNotAStackTrace() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "validate", "-f", "no-such.yaml");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no-such.yaml: no such file\n", r.stderr());
  }

  @Test
  void aMisusedCommandExplainsItselfAndExitsWithOne() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "validate");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: Missing required option: '--file=FILE'\n"
            + "Try 'wharfctl validate --help' for more information.\n",
        r.stderr());
    assertFalse(r.stderr().contains("Exception"), r.stderr());
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--help");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("Usage: wharfctl "), r.stdout());
    for (String command :
        new String[] {
          "apply",
          "diff",
          "get",
          "delete",
          "route",
          "history",
          "rollback",
          "nodes",
          "rollout",
          "health",
          "drain",
          "validate",
          "completion"
        }) {
      assertTrue(r.stdout().contains("\n  " + command + " "), command + ":\n" + r.stdout());
    }
    assertTrue(r.stdout().contains("Exit codes:"), r.stdout());
    assertEquals("", r.stderr());
  }

  @Test
  void aControlPlaneThatRefusesTheConnectionIsExitThreeNamingTheAddress() {
    String server = "127.0.0.1:" + refusing.port(); // held, never listening: refused

    Result r = CommandRunner.runJar(TIMEOUT, JAR, "get", "routes", "--server", server);

    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(
        r.stderr().startsWith("error: cannot reach the Admin API:\n  " + server + ": UNAVAILABLE"),
        r.stderr());
    assertTrue(r.stderr().contains("Connection refused"), r.stderr());
    assertFalse(r.stderr().contains("\tat "), r.stderr());
    assertEquals("", r.stdout());
  }

  @Test
  void versionNamesTheProgramAndItsRuntime() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharfctl 0.1.0-SNAPSHOT\nJava 17"), r.stdout());
  }
}
