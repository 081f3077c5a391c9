package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts of {@code wharfctl completion} in real shells: bash runs its completion function with
 * COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set as bash sets them on a TAB, and the function
 * calls the real wharfctl jar, which asks a real control-plane replica on a loopback port (the demo
 * config in its embedded store, node-1 in its fleet). zsh and fish, where installed, must at least
 * read their scripts.
 */
class CompletionScriptsIT {
  private static final Path JAR = Path.of("target", "wharf-admin-cli.jar").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  /**
   * Each shell's script, printed once per class by the jar ({@code wharfctl completion SHELL}, a
   * JVM start): the script is the same for every test, the completions each test asks for are not.
   */
  @TempDir static Path scripts;

  private static final Map<String, Path> SCRIPTS = new HashMap<>();

  @TempDir Path dir;
  private RealAdmin replica;
  private String address;

  @BeforeEach
  void serve() throws IOException {
    replica = RealAdmin.open(dir.resolve("store"), "cp-1");
    replica.commit(Configs.demo());
    replica.node(NodeStatus.newBuilder().setNodeId("node-1").setReplica("cp-1").build());
    address = "127.0.0.1:" + replica.listen(List.of()).getPort();
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path wharfctl = bin.resolve("wharfctl");
    Files.writeString(
        wharfctl,
        "#!/bin/sh\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -jar '"
            + JAR
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(wharfctl, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void stop() {
    replica.close();
  }

  @Test
  void bashCompletesTheRouteNamesAfterGetRouteNotTheRouteCommandsSet() throws IOException {
    Path script = script("bash");

    assertEquals(
        List.of("hello", "api", "ws", "old-docs", "echo"),
        bash(
            script,
            "wharfctl get --timeout 60s route ",
            "wharfctl",
            "get",
            "--timeout",
            "60s",
            "route",
            ""));
    assertEquals(List.of("set"), bash(script, "wharfctl route ", "wharfctl", "route", ""));
    assertEquals(
        List.of("listener", "upstream", "route", "config", "nodes"),
        bash(script, "wharfctl get ", "wharfctl", "get", ""));
    assertEquals(
        List.of("node-1"),
        bash(
            script,
            "wharfctl drain --timeout 60s n",
            "wharfctl",
            "drain",
            "--timeout",
            "60s",
            "n"));
  }

  @Test
  void bashReadsTheServerFlagThatBashItselfSplitsAtTheColon() throws IOException {
    Path script = script("bash");
    // A generous --timeout: the lookup's default (3s) is short for a loaded machine.
    String line = "wharfctl get --timeout 60s --server " + address + " upstream ";
    String port = address.substring(address.indexOf(':') + 1);

    List<String> names =
        bashWithEnv(
            script,
            Map.of("WHARF_SERVER", "127.0.0.1:1"), // nothing there: only the flag can work
            line,
            "wharfctl",
            "get",
            "--timeout",
            "60s",
            "--server",
            "127.0.0.1",
            ":",
            port,
            "upstream",
            "");

    assertEquals(List.of("app", "echo"), names);
  }

  @Test
  void zshReadsItsScript() throws IOException {
    Path zsh = MissingTool.require("zsh");
    Result r = CommandRunner.run(TIMEOUT, List.of(zsh.toString(), "-n", script("zsh").toString()));
    assertEquals(new Result(0, "", ""), r);
  }

  @Test
  void fishReadsItsScript() throws IOException {
    Path fish = MissingTool.require("fish");
    Result r =
        CommandRunner.run(TIMEOUT, List.of(fish.toString(), "-n", script("fish").toString()));
    assertEquals(new Result(0, "", ""), r);
  }

  @Test
  void fishCompletesTheRouteNamesFromTheServer() throws IOException {
    Path fish = MissingTool.require("fish");
    Path script = script("fish");

    Result r =
        CommandRunner.run(
            TIMEOUT,
            List.of(
                fish.toString(),
                "-c",
                "source $argv[1]; complete -C 'wharfctl get --timeout 60s route '",
                script.toString()),
            Map.of(
                "WHARF_SERVER", address, "PATH", dir.resolve("bin") + ":" + System.getenv("PATH")));

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        List.of("api", "echo", "hello", "old-docs", "ws"),
        r.stdout().lines().map(String::strip).sorted().toList(),
        r.toString());
  }

  private static Path script(String shell) throws IOException {
    Path made = SCRIPTS.get(shell);
    if (made == null) {
      Result r = CommandRunner.runJar(TIMEOUT, JAR, "completion", shell);
      assertEquals(0, r.exitCode(), r.toString());
      made = Files.writeString(scripts.resolve("wharfctl." + shell), r.stdout());
      SCRIPTS.put(shell, made);
    }
    return made;
  }

  private List<String> bash(Path script, String line, String... words) {
    return bashWithEnv(script, Map.of("WHARF_SERVER", address), line, words);
  }

  /** Runs the completion function as bash does on a TAB at the end of {@code line}. */
  private List<String> bashWithEnv(
      Path script, Map<String, String> env, String line, String... words) {
    Path bash = MissingTool.require("bash");
    StringBuilder program =
        new StringBuilder("source \"$1\"; complete -p wharfctl >/dev/null || exit 9\n");
    program.append("COMP_WORDS=(");
    for (String w : words) {
      program.append('\'').append(w).append("' ");
    }
    program
        .append(")\nCOMP_CWORD=")
        .append(words.length - 1)
        .append("\nCOMP_LINE='")
        .append(line)
        .append("'\nCOMP_POINT=${#COMP_LINE}\n")
        .append("_wharfctl_complete\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n");
    Map<String, String> environment = new java.util.HashMap<>(env);
    environment.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    Result r =
        CommandRunner.run(
            TIMEOUT,
            List.of(bash.toString(), "-c", program.toString(), "bash", script.toString()),
            environment);
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.stderr(), r.toString());
    return r.stdout().lines().filter(l -> !l.isEmpty()).toList();
  }
}
