package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What every command has in common: help, usage errors, completion. */
class WharfCtlTest {
  private static final List<String> COMMANDS =
      List.of(
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
          "import-nginx",
          "completion");

  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(home);
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void helpListsEveryCommandTheConnectionRulesAndTheExitCodes() {
    Result r = cli.run("--help");

    assertEquals(0, r.exitCode(), r.toString());
    for (String command : COMMANDS) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " missing:\n" + r.out());
    }
    assertTrue(r.out().contains("its flag, else its environment variable, else the"), r.out());
    assertTrue(
        r.out()
            .contains(
                """
        Exit codes:
          0  done
          1  invalid input"""),
        r.out());
    for (String code :
        List.of("  2  conflict", "  3  the Admin API could not be reached", "  4  rollout")) {
      assertTrue(r.out().contains(code), code + " missing:\n" + r.out());
    }
  }

  @Test
  void everyCommandHasHelpWithAnExample() {
    for (String command : commandPaths()) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--help");

      Result r = cli.run(args.toArray(String[]::new));

      assertEquals(0, r.exitCode(), command + ": " + r);
      assertTrue(r.out().startsWith("Usage: wharfctl " + command), command + ": " + r.out());
      assertTrue(r.out().contains("Example"), command + " has no example:\n" + r.out());
    }
  }

  @Test
  void anUnknownFlagOnAnyCommandIsAUsageErrorWithExitOne() {
    for (String command : commandPaths()) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--no-such-flag");

      Result r = cli.run(args.toArray(String[]::new));

      assertEquals(1, r.exitCode(), command + ": " + r);
      // One line (missing required options or parameters may be named instead), then the hint;
      // never the whole usage.
      List<String> lines = r.err().lines().toList();
      assertEquals(2, lines.size(), command + ": " + r.err());
      assertTrue(lines.get(0).startsWith("error: "), command + ": " + r.err());
      assertEquals(
          "Try 'wharfctl " + command + " --help' for more information.",
          lines.get(1),
          command + ": " + r.err());
      assertFalse(r.err().contains("Exception"), command + ": " + r.err());
    }
    assertTrue(cli.opened().isEmpty(), "a misused command connected: " + cli.opened());
  }

  @Test
  void aBadDurationIsAUsageErrorThatSaysWhy() {
    Result r = cli.run("nodes", "--timeout", "10");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: Invalid value for option '--timeout': '10' has no unit (write e.g. 10s or 10ms)
        Try 'wharfctl nodes --help' for more information.
        """,
        r.err());
  }

  @Test
  void aMistypedFlagSaysWhichOneWasMeantInOneLineAndTheHelpHint() {
    Result r = cli.run("get", "routes", "--outptu", "yaml");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("error: Unknown option: '--outptu'"), r.err());
    assertTrue(r.err().contains("--output"), r.err());
    assertTrue(r.err().endsWith("Try 'wharfctl get --help' for more information.\n"), r.err());
    assertFalse(r.err().contains("Usage:"), r.err());
  }

  @Test
  void aDecimalDurationIsAcceptedAsGoAndEnvoyReadIt() {
    Result r = cli.run("nodes", "--timeout", "1.5s", "--server", "nowhere:1");

    assertEquals(3, r.exitCode(), r.toString());
    assertFalse(r.err().contains("Invalid value"), r.err());
  }

  @Test
  void completionPrintsAScriptForEachShellThatAsksWharfctlOnEveryTab() {
    Result bash = cli.run("completion");
    Result zsh = cli.run("completion", "zsh");
    Result fish = cli.run("completion", "fish");
    Result other = cli.run("completion", "tcsh");

    assertEquals(0, bash.exitCode(), bash.toString());
    assertEquals(bash, cli.run("completion", "bash"));
    assertTrue(bash.out().contains("complete -F _wharfctl_complete wharfctl"), bash.out());
    assertTrue(zsh.out().startsWith("#compdef wharfctl\n"), zsh.out());
    assertTrue(fish.out().contains("complete -c wharfctl "), fish.out());
    for (Result r : List.of(bash, zsh, fish)) {
      assertTrue(r.out().contains("__complete -- "), r.out());
    }
    assertEquals(
        """
        error: unknown shell 'tcsh' (expected: bash, zsh or fish)
        Try 'wharfctl completion --help' for more information.
        """,
        other.err());
    assertEquals(1, other.exitCode());
  }

  /** Every runnable command as typed: {@code apply}, {@code route set}, ... */
  private static List<String> commandPaths() {
    List<String> paths = new ArrayList<>();
    CommandLine root = new CommandLine(new WharfCtl());
    root.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help") || sub.getCommandSpec().usageMessage().hidden()) {
                return;
              }
              paths.add(name);
              sub.getSubcommands().keySet().forEach(s -> paths.add(name + " " + s));
            });
    return paths;
  }
}
