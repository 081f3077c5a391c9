package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * edit with real editor processes: small shell scripts given as $EDITOR that rewrite the file with
 * sed, fail, or leave it as it is, against the control plane's real Admin service holding the demo
 * config (route api proxies to echo). Each script keeps a copy of every file it was given, to show
 * what the user saw.
 */
class EditCommandTest {
  @TempDir Path home;
  @TempDir Path dir;
  private Cli cli;
  private RealAdmin admin;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    admin = cli.serveReal("cp-1:9700");
    admin.commit(Configs.demo());
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void anEditorThatRewritesTheFileWritesTheObjectBasedOnTheVersionItRead() throws IOException {
    long before = admin.version();
    cli.env.put("EDITOR", editor("sed -i 's/upstream: echo/upstream: app/' \"$1\""));

    Result r = cli.run("edit", "route", "api");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("app", admin.route("api").getProxy().getUpstream());
    assertTrue(r.out().contains("route api"), r.out());
    assertEquals(before + 1, admin.version());
    String seen = Files.readString(dir.resolve("seen-1.yaml"));
    assertTrue(
        seen.startsWith("# Editing route api at version " + before + ". Save and quit"), seen);
    assertTrue(seen.contains("routes:\n  - name: api\n"), seen);
    assertFalse(Files.exists(Path.of(editedFile(seen))), "the temp file was left behind");
  }

  @Test
  void anEditorThatFailsWritesNothing() throws IOException {
    long before = admin.version();
    cli.env.put("EDITOR", editor("sed -i 's/echo/app/' \"$1\"; exit 3"));

    Result r = cli.run("edit", "route", "api");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .startsWith(
                "error: the editor ("
                    + dir.resolve("editor.sh")
                    + ") exited with"
                    + " status 3; nothing was written\n"),
        r.err());
    assertTrue(r.err().contains("your edit is kept in "), r.err());
    assertEquals(before, admin.version());
    assertEquals("echo", admin.route("api").getProxy().getUpstream());
  }

  @Test
  void anUnchangedOrEmptiedFileCancels() throws IOException {
    long before = admin.version();
    cli.env.put("EDITOR", editor("true"));
    Result unchanged = cli.run("edit", "route", "api");
    cli.env.put("EDITOR", editor(": > \"$1\""));
    Result emptied = cli.run("edit", "upstream", "app");

    assertEquals(new Result(0, "edit cancelled: no changes; nothing was written\n", ""), unchanged);
    assertEquals(
        new Result(0, "edit cancelled: the file was emptied; nothing was written\n", ""), emptied);
    assertEquals(before, admin.version());
  }

  @Test
  void aDocumentTheServerRefusesIsOpenedAgainWithTheErrorsAtTheTop() throws IOException {
    cli.env.put(
        "EDITOR",
        editor(
            "if grep -q '^# The edit was not written' \"$1\"; then"
                + " sed -i 's/upstream: nope/upstream: app/' \"$1\";"
                + " else sed -i 's/upstream: echo/upstream: nope/' \"$1\"; fi"));

    Result r = cli.run("edit", "route", "api");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("app", admin.route("api").getProxy().getUpstream());
    String second = Files.readString(dir.resolve("seen-2.yaml"));
    assertTrue(second.startsWith("# The edit was not written:\n# error: "), second);
    assertTrue(
        second.contains(
            "#   route api: routes[1].proxy.upstream: no upstream named 'nope' (known: app, echo)"),
        second);
    assertTrue(second.contains("    upstream: nope\n"), "the user's edit is kept:\n" + second);
  }

  @Test
  void aDocumentThatDoesNotParseOrRenamesIsOpenedAgainAndLeftInvalidIsExitOne() throws IOException {
    long before = admin.version();
    // Renames the route, then leaves the file it gets back with the reason as it is.
    cli.env.put(
        "EDITOR",
        editor(
            "grep -q '^# The edit was not written' \"$1\""
                + " || sed -i 's/name: api$/name: api2/' \"$1\""));

    Result r = cli.run("edit", "route", "api");

    assertEquals(1, r.exitCode(), r.toString());
    String second = Files.readString(dir.resolve("seen-2.yaml"));
    assertTrue(
        second.startsWith(
            "# The edit was not written:\n"
                + "# the name cannot be changed by edit (it is 'api'); create the new one with"
                + " apply and delete the old one\n"),
        second);
    assertTrue(r.err().startsWith("error: the edit was left invalid\n"), r.err());
    assertEquals(before, admin.version());
  }

  @Test
  void aWriteBasedOnAStaleVersionIsRefusedAndTheEditKeptToStartAgain() throws IOException {
    long before = admin.version();
    Config demo = Configs.demo();
    Config moved =
        demo.toBuilder().setListeners(0, demo.getListeners(0).toBuilder().setPort(18080)).build();
    cli.afterNextRead(() -> admin.commit(moved));
    cli.env.put("EDITOR", editor("sed -i 's/upstream: echo/upstream: app/' \"$1\""));

    Result r = cli.run("edit", "route", "api");

    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .startsWith("error: the config changed since it was read (you read version " + before),
        r.err());
    Matcher kept =
        Pattern.compile(
                "your edit is kept in (\\S+); run 'wharfctl edit route api'"
                    + " to edit the current version")
            .matcher(r.err());
    assertTrue(kept.find(), r.err());
    assertTrue(Files.readString(Path.of(kept.group(1))).contains("upstream: app"));
    assertEquals("echo", admin.route("api").getProxy().getUpstream());
    assertEquals(before + 1, admin.version(), "the other writer's version, and only it");
    assertEquals(18080, admin.config().getListeners(0).getPort());
    Files.delete(Path.of(kept.group(1)));
  }

  @Test
  void noSuchObjectIsExitOneWithoutOpeningAnEditor() throws IOException {
    cli.env.put("EDITOR", editor("true"));

    Result r = cli.run("edit", "route", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertFalse(Files.exists(dir.resolve("seen-1.yaml")), "the editor was opened");
  }

  /** A script that keeps a copy of the file (seen-N.yaml, N counting calls), then runs body. */
  private String editor(String body) throws IOException {
    Path script = dir.resolve("editor.sh");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "n=$(ls '"
            + dir
            + "' | grep -c '^seen-')\n"
            + "cp \"$1\" '"
            + dir
            + "'/seen-$((n + 1)).yaml\n"
            + "echo \"$1\" > '"
            + dir
            + "'/file\n"
            + body
            + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script.toString();
  }

  private String editedFile(String ignored) throws IOException {
    return Files.readString(dir.resolve("file")).strip();
  }
}
