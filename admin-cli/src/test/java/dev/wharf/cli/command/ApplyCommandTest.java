package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apply and diff against the control plane's real Admin service, holding {@link Configs#BEFORE}.
 * Documents carry the version they were read at, as {@code get} writes them.
 */
class ApplyCommandTest {
  @TempDir Path dir;
  private Cli cli;
  private RealAdmin admin;
  private long v;

  @BeforeEach
  void serve() {
    cli = new Cli(dir);
    admin = cli.serveReal("cp-1:9700");
    v = admin.commit(Configs.parse(Configs.BEFORE));
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void applyPrintsEachChangeThenTheVersionItMadeAndDeletesNothing() {
    Path file = versioned("wharf.yaml", Configs.AFTER, v);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        applied: version %d
        """
            .formatted(v + 1),
        r.out());
    assertEquals("", r.err());
    assertEquals(
        java.util.List.of("old", "api", "web"),
        admin.config().getRoutesList().stream().map(x -> x.getName()).toList(),
        "the route the document does not name is left alone; api goes before web, as written");
  }

  @Test
  void dryRunPrintsTheSameChangesAndWritesNothing() {
    Path file = versioned("wharf.yaml", Configs.AFTER, v);

    Result r = cli.run("apply", "-f", file.toString(), "--dry-run");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        dry run: nothing written (version %d)
        """
            .formatted(v),
        r.out());
    assertEquals(v, admin.version());
    assertEquals(Configs.parse(Configs.BEFORE), admin.config());
  }

  @Test
  void applyingTheConfigThereIsSaysSoAndMakesNoVersion() {
    Path file = versioned("wharf.yaml", Configs.BEFORE, v);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("no changes (version " + v + ")\n", r.out());
    assertEquals(v, admin.version());
  }

  @Test
  void aDocumentThatDoesNotValidateIsReportedWithPathsAndLinesAndNeverSent() {
    Path file =
        Configs.write(
            dir,
            "broken.yaml",
            """
        metadata: {version: 1}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        routes:
          - name: a
            match: {path: {regex: "^/(x"}}
            proxy: {upstream: api}
        """);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        file
            + ": 1 error\n"
            + "  route a: routes[0].match.path.regex: unclosed group near index 4 (line 7)\n",
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
  void diffPrintsTheChangesOnlyAndWritesNothing() {
    Path file = versioned("wharf.yaml", Configs.AFTER, v);

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        """,
        r.out());
    assertEquals(v, admin.version());
  }

  @Test
  void diffPruneAlsoShowsWhatTheDocumentDoesNotHold() {
    Path file = versioned("wharf.yaml", Configs.AFTER, v);

    Result r = cli.run("diff", "--prune", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ upstream app: endpoints[1].weight: 1 -> 3
        + route api
        - route old
        """,
        r.out());
    assertEquals(v, admin.version());
  }

  @Test
  void diffOfTheConfigThereIsPrintsNothingAndExitsZero() {
    Path file = versioned("wharf.yaml", Configs.BEFORE, v);

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals("", r.err());
  }

  @Test
  void aSubtreeSetWhereThereWasNoneIsShownAsOneValue() {
    Path file =
        versioned(
            "wharf.yaml",
            Configs.BEFORE.replace(
                "proxy: {upstream: app}",
                "proxy: {upstream: app, rewrite: {regex: \"^/(.*)\", replacement: /v2/$1}}"),
            v);

    Result r = cli.run("diff", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ route web: proxy.rewrite: (unset) -> {regex: ^/(.*), replacement: /v2/$1}
        """,
        r.out());
    assertTrue(r.err().isEmpty(), r.err());
  }

  private Path versioned(String name, String yaml, long version) {
    return Configs.write(dir, name, "metadata: {version: " + version + "}\n" + yaml);
  }
}
