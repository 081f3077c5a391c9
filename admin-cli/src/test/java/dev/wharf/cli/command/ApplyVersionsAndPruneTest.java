package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's path loses nothing (issue 19), against the real Admin service: a partial document
 * is merged, not made the whole config; the version read travels with the document and a stale one
 * is refused; deleting needs --prune and a yes; emptying needs --allow-empty; -f - reads stdin.
 */
class ApplyVersionsAndPruneTest {
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
  void applyingWhatGetUpstreamsWroteLeavesEveryListenerAndRoute() {
    Result got = cli.run("get", "upstreams", "-o", "yaml");
    assertEquals(0, got.exitCode(), got.toString());
    Path file = Configs.write(dir, "u.yaml", got.out().replace("weight: 1\n", "weight: 2\n"));

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(0, r.exitCode(), r.toString());
    Config now = admin.config();
    assertEquals(1, now.getListenersCount(), now.toString());
    assertEquals(List.of("old", "web"), names(now));
    assertEquals(2, now.getUpstreams(0).getEndpoints(0).getWeight());
  }

  @Test
  void getWritesTheVersionItReadIntoTheDocument() {
    Result yaml = cli.run("get", "config", "-o", "yaml");
    Result json = cli.run("get", "routes", "-o", "json");

    assertTrue(yaml.out().startsWith("metadata:\n  version: " + v + "\n"), yaml.out());
    assertTrue(
        json.out().startsWith("{\n  \"metadata\": {\n    \"version\": " + v + "\n  },"),
        json.out());
  }

  @Test
  void aDocumentReadBeforeSomeoneElseChangedTheConfigIsRefusedWithExitTwo() {
    Path file = Configs.write(dir, "wharf.yaml", cli.run("get", "config", "-o", "yaml").out());
    Config theirs = Configs.parse(Configs.BEFORE.replace("status: 410", "status: 404"));
    long now = admin.commit(theirs); // a `route set` by someone else
    Path mine =
        Configs.write(dir, "mine.yaml", readString(file).replace("10.0.0.5:9000", "10.0.0.7:9000"));

    Result r = cli.run("apply", "-f", mine.toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: the config changed since "
            + mine
            + " was read (it records version "
            + v
            + ", the config is now version "
            + now
            + "); nothing was written. See what changed with 'wharfctl diff -f "
            + mine
            + "', start again from 'wharfctl get config -o yaml', or pass --force to apply it"
            + " over version "
            + now
            + "\n",
        r.err());
    assertEquals(theirs, admin.config(), "their change is kept");
    assertEquals(now, admin.version());

    Result diff = cli.run("diff", "-f", mine.toString());
    assertEquals(0, diff.exitCode(), diff.toString());
    assertTrue(diff.out().contains("~ route old: respond.status: 404 -> 410"), diff.out());
    assertTrue(diff.err().contains("was read at version " + v), diff.err());

    Result forced = cli.run("apply", "-f", mine.toString(), "--force");
    assertEquals(0, forced.exitCode(), forced.toString());
    assertEquals(now + 1, admin.version());
    assertEquals("10.0.0.7:9000", admin.config().getUpstreams(0).getEndpoints(0).getAddress());
  }

  @Test
  void aDocumentWithoutAVersionNeedsForce() {
    Path file = Configs.write(dir, "hand.yaml", Configs.AFTER);

    Result r = cli.run("apply", "-f", file.toString());

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(
        "error: "
            + file
            + " records no config version, so a change made since it was written would be"
            + " overwritten: start from 'wharfctl get config -o yaml > wharf.yaml', or pass"
            + " --force\n",
        r.err());
    assertEquals(v, admin.version());

    Result forced = cli.run("apply", "-f", file.toString(), "--force");
    assertEquals(0, forced.exitCode(), forced.toString());
    assertEquals(v + 1, admin.version());
  }

  @Test
  void pruneWithoutATerminalOrYesIsRefusedAndNamesWhatWouldGo() {
    Path file = versioned(Configs.AFTER);

    Result r = cli.run("apply", "-f", file.toString(), "--prune");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("error: --prune would delete route old; no terminal"), r.err());
    assertEquals(v, admin.version());

    Result yes = cli.run("apply", "-f", file.toString(), "--prune", "--yes");
    assertEquals(0, yes.exitCode(), yes.toString());
    assertTrue(yes.out().contains("- route old\n"), yes.out());
    assertEquals(Configs.parse(Configs.AFTER), admin.config());
  }

  @Test
  void pruneAsksOnATerminalAndOnlyYesDeletes() {
    Path file = versioned(Configs.AFTER);

    Result no = cli.stdin("n\n", true).run("apply", "-f", file.toString(), "--prune");
    assertEquals(1, no.exitCode(), no.toString());
    assertEquals(
        "these objects would be deleted: route old; continue? [y/N] nothing applied\n", no.out());
    assertEquals(v, admin.version());

    Result yes = cli.stdin("y\n", true).run("apply", "-f", file.toString(), "--prune");
    assertEquals(0, yes.exitCode(), yes.toString());
    assertEquals(Configs.parse(Configs.AFTER), admin.config());
  }

  @Test
  void pruningEveryRouteAndListenerNeedsAllowEmpty() {
    Path file =
        versioned("upstreams:\n  - name: app\n    endpoints: [{address: \"10.0.0.5:9000\"}]\n");

    Result r = cli.run("apply", "-f", file.toString(), "--prune", "--yes");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("allow_empty"), r.err());
    assertTrue(r.err().contains("every listener"), r.err());
    assertEquals(v, admin.version());

    Result allowed = cli.run("apply", "-f", file.toString(), "--prune", "--yes", "--allow-empty");
    assertEquals(0, allowed.exitCode(), allowed.toString());
    assertEquals(0, admin.config().getRoutesCount());
  }

  @Test
  void deletingTheLastListenerNeedsAllowEmpty() {
    Result r = cli.run("delete", "listener", "web");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("every listener"), r.err());
    assertEquals(v, admin.version());

    cli.run("delete", "route", "old");
    Result lastRoute = cli.run("delete", "route", "web");
    assertEquals(1, lastRoute.exitCode(), lastRoute.toString());
    assertTrue(lastRoute.err().contains("every route"), lastRoute.err());

    Result allowed = cli.run("delete", "route", "web", "--allow-empty");
    assertEquals(0, allowed.exitCode(), allowed.toString());
    assertEquals(0, admin.config().getRoutesCount());
  }

  @Test
  void aDocumentOfRoutesMayNameAnUpstreamOnlyTheServerHolds() {
    Path file =
        versioned(
            "routes:\n"
                + "  - {name: api, match: {path: {prefix: /api/}}, proxy: {upstream: app}}\n");

    Result r = cli.run("apply", "-f", file.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("old", "web", "api"), names(admin.config()));

    Path bad =
        versioned(
            "routes:\n" + "  - {name: b, match: {path: {prefix: /b/}}, proxy: {upstream: nope}}\n",
            admin.version());
    Result refused = cli.run("apply", "-f", bad.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("routes[0].proxy.upstream"), refused.err());
  }

  @Test
  void applyDiffAndValidateReadStandardInput() {
    String document = cli.run("get", "config", "-o", "yaml").out().replace("410", "404");

    Result validate = cli.stdin(document, false).run("validate", "-f", "-");
    assertEquals(0, validate.exitCode(), validate.toString());
    assertTrue(validate.out().startsWith("stdin: valid"), validate.out());

    Result diff = cli.stdin(document, false).run("diff", "-f", "-");
    assertEquals("~ route old: respond.status: 410 -> 404\n", diff.out());

    Result apply = cli.stdin(document, false).run("apply", "-f", "-");
    assertEquals(0, apply.exitCode(), apply.toString());
    assertEquals(404, admin.config().getRoutes(0).getRespond().getStatus());

    Result bad = cli.stdin("routes: 3\n", false).run("apply", "-f", "-");
    assertEquals(1, bad.exitCode(), bad.toString());
    assertTrue(bad.err().startsWith("stdin: 1 error\n  routes: expected a list"), bad.err());
  }

  private Path versioned(String yaml) {
    return versioned(yaml, v);
  }

  private Path versioned(String yaml, long version) {
    return Configs.write(
        dir, "doc-" + version + ".yaml", "metadata: {version: " + version + "}\n" + yaml);
  }

  private static List<String> names(Config config) {
    return config.getRoutesList().stream().map(Route::getName).toList();
  }

  private static String readString(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
