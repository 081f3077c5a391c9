package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Upstream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * delete, history and rollback, as alice (an admin token), against a real replica on a loopback
 * port whose store holds Configs.BEFORE at version 5 (the versions before it moved a listener).
 */
class WriteCommandsTest {
  @TempDir Path home;
  private Cli cli;
  private RealAdmin admin;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    admin = cli.serveReplica("127.0.0.1:9700", "admin a alice");
    assertEquals(5, admin.commitAfter(4, Configs.parse(Configs.BEFORE)));
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
        error: the config is invalid (1 error):
          route web: routes[1].proxy.upstream: no upstream named 'app' (none are defined)
        """,
        r.err());
    assertEquals(5, admin.version());
  }

  @Test
  void deletingWhatIsNotThereIsExitOne() {
    Result r = cli.run("delete", "listener", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no listener is named 'nope' in version 5\n", r.err());
  }

  @Test
  void deleteBasedOnAVersionThatMovedOnIsExitTwo() {
    Config before = Configs.parse(Configs.BEFORE);
    Upstream app = before.getUpstreams(0);
    Config weighted =
        before.toBuilder()
            .setUpstreams(
                0, app.toBuilder().setEndpoints(0, app.getEndpoints(0).toBuilder().setWeight(2)))
            .build();
    cli.afterNextRead(() -> admin.commit(weighted));

    Result r = cli.run("delete", "route", "old");

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: the config changed since it was read (you read version 5, it is now 6);"
            + " run the command again\n",
        r.err());
    assertEquals(weighted, admin.config(), "the other writer's version, and only it");
  }

  @Test
  void historyIsATableNewestFirstWithWhoMadeEachVersion() {
    cli.run("delete", "route", "old");

    Result r = cli.run("history", "--limit", "2");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        VERSION   TIME                   WHO            SUMMARY
        6         2025-03-01T09:35:00Z   alice          delete route old
        5         2025-03-01T09:34:00Z   someone-else   test commit
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
    Result r = cli.run("rollback", "9");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: version 9 does not exist yet (the latest version is 5)\n", r.err());
    assertEquals(5, admin.version());
  }
}
