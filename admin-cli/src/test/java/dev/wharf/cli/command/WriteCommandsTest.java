package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.FakeAdmin;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * delete, history and rollback, as alice (an admin), against a fake at version 5 holding
 * Configs.BEFORE.
 */
class WriteCommandsTest {
  @TempDir Path home;
  private Cli cli;
  private FakeAdmin admin;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    admin =
        cli.serve("127.0.0.1:9700")
            .commit(Configs.parse(Configs.BEFORE))
            .atVersion(5)
            .token("a", "alice", true);
    cli.env.put("WHARF_SERVER", "127.0.0.1:9700");
    cli.env.put("WHARF_TOKEN", "a");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void deletePrintsWhatWentAndTheNewVersion() {
    Result r = cli.run("delete", "route", "old");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("- route old\napplied: version 6\n", r.out());
    assertEquals(1, admin.config().getRoutesCount());
  }

  @Test
  void deletingWhatOthersReferToListsEachReferenceAndExitsOne() {
    Result r = cli.run("delete", "upstream", "app");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: the config would not validate (1 error)
          routes[1].proxy.upstream: no upstream named 'app' (none are defined)
        """,
        r.err());
    assertEquals(5, admin.version());
  }

  @Test
  void deletingWhatIsNotThereIsExitOne() {
    Result r = cli.run("delete", "listener", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no listener named 'nope'\n", r.err());
  }

  @Test
  void deleteBasedOnAVersionThatMovedOnIsExitTwo() {
    admin.bumpVersionAfterNextRead(1);

    Result r = cli.run("delete", "route", "old");

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: the config changed since it was read (you read version 5, it is now 6);"
            + " run the command again\n",
        r.err());
    assertEquals(2, admin.config().getRoutesCount());
  }

  @Test
  void historyIsATableNewestFirstWithWhoMadeEachVersion() {
    cli.run("delete", "route", "old");

    Result r = cli.run("history", "--limit", "2");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        VERSION   TIME                   WHO     SUMMARY
        6         2025-03-01T09:31:00Z   alice   - route old
        1         2025-03-01T09:30:00Z   setup   + listener web, + upstream app, + route old, \
        + route web
        """,
        r.out());
  }

  @Test
  void historyLimitMustBePositive() {
    Result r = cli.run("history", "--limit", "0");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: --limit 0 (expected: >= 1)\n", r.err());
  }

  @Test
  void rollbackCommitsAPastConfigAsANewVersion() {
    cli.run("delete", "route", "old");

    Result r = cli.run("rollback", "5");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("+ route old\napplied: version 7 (the config of version 5)\n", r.out());
    assertEquals(Configs.parse(Configs.BEFORE), admin.config());
  }

  @Test
  void rollbackToTheConfigThereIsChangesNothing() {
    Result r = cli.run("rollback", "5");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("no changes (version 5)\n", r.out());
  }

  @Test
  void rollbackToAVersionNotInTheHistoryIsExitOne() {
    Result r = cli.run("rollback", "3");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no version 3 in the history\n", r.err());
  }
}
