package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.FakeAdmin;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apply and diff against a fake Admin service at version 5. */
class ApplyCommandTest {
  @TempDir Path dir;
  private Cli cli;
  private FakeAdmin admin;

  @BeforeEach
  void serve() {
    cli = new Cli(dir);
    admin = cli.serve("cp-1:9700").commit(Configs.parse(Configs.BEFORE)).atVersion(5);
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void applyPrintsEachChangeThenTheVersionItMade() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        - route old
        applied: version 6
        """,
        r.out());
    assertEquals("", r.err());
    assertEquals(Configs.parse(Configs.AFTER), admin.config());
  }

  @Test
  void dryRunPrintsTheSameChangesAndWritesNothing() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);

    Result r = cli.run("apply", "-f", file.toString(), "--dry-run");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        - route old
        dry run: nothing written (version 5)
        """,
        r.out());
    assertEquals(5, admin.version());
    assertEquals(Configs.parse(Configs.BEFORE), admin.config());
  }

  @Test
  void applyingTheConfigThereIsSaysSoAndMakesNoVersion() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.BEFORE);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("no changes (version 5)\n", r.out());
    assertEquals(5, admin.version());
  }

  @Test
  void aDocumentThatDoesNotValidateIsReportedWithPathsAndLinesAndNeverSent() {
    Path file =
        Configs.write(
            dir,
            "broken.yaml",
            """
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        routes:
          - name: a
            match: {path: {regex: "^/(x"}}
            proxy: {upstream: nope}
        """);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        file
            + ": 2 errors\n"
            + "  route a: routes[0].match.path.regex: unclosed group near index 4 (line 6)\n"
            + "  route a: routes[0].proxy.upstream: no upstream named 'nope' (known: api) (line"
            + " 7)\n",
        r.err());
    assertEquals("", r.out());
    assertEquals(0, admin.calls(), "the server was called");
  }

  @Test
  void aMissingFileIsOneLineAndNothingIsSent() {
    Result r = cli.run("apply", "-f", dir.resolve("nope.yaml").toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: " + dir.resolve("nope.yaml") + ": no such file\n", r.err());
    assertEquals(0, admin.calls());
  }

  @Test
  void aConfigChangedSinceItWasReadIsRefusedWithBothVersionsAndExitTwo() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);
    admin.bumpVersionAfterNextRead(2); // someone else commits twice between read and write

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: the config changed since it was read (you read version 5, it is now 7);"
            + " run the command again\n",
        r.err());
    assertEquals("", r.out());
    assertEquals(Configs.parse(Configs.BEFORE), admin.config());
  }

  @Test
  void diffPrintsTheChangesOnlyAndWritesNothing() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        - route old
        """,
        r.out());
    assertEquals(5, admin.version());
  }

  @Test
  void diffOfTheConfigThereIsPrintsNothingAndExitsZero() {
    Path file = Configs.write(dir, "wharf.yaml", Configs.BEFORE);

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals("", r.err());
  }

  @Test
  void aChangedSubtreeIsShownFieldByField() {
    Path file =
        Configs.write(
            dir,
            "wharf.yaml",
            Configs.BEFORE.replace(
                "proxy: {upstream: app}",
                "proxy: {upstream: app, rewrite: {regex: \"^/(.*)\", replacement: /v2/$1}}"));

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ route web: proxy.rewrite.regex: (unset) -> ^/(.*)
        ~ route web: proxy.rewrite.replacement: (unset) -> /v2/$1
        """,
        r.out());
    assertTrue(r.err().isEmpty(), r.err());
  }
}
