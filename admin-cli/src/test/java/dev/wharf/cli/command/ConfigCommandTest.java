package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config view, get-contexts and use-context over a contexts file in the test's home. */
class ConfigCommandTest {
  private static final String SECRET = "s3cret-t0ken-value";

  @TempDir Path home;
  private Cli cli;
  private Path file;

  @BeforeEach
  void start() throws Exception {
    cli = new Cli(home);
    Path dir = Files.createDirectories(home.resolve(".config/wharf"));
    file = dir.resolve("wharfctl.yaml");
    Files.writeString(dir.resolve("prod.token"), SECRET + "\n");
    Files.writeString(
        file,
        """
        # the team's clusters
        current-context: staging
        contexts:
          - name: prod   # careful
            servers: [cp-1:9700, cp-2:9700]
            token-file: prod.token
            tls-ca: /etc/wharf/ca.pem
          - name: staging
            servers: cp-9:9700
        """);
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void getContextsMarksTheCurrentOne() {
    Result r = cli.run("config", "get-contexts");

    assertEquals(0, r.exitCode(), r.toString());
    String token = home.resolve(".config/wharf/prod.token").toString();
    String row = "%-7s   %-7s   %-19s   %-" + token.length() + "s   %s\n";
    assertEquals(
        String.format(row, "CURRENT", "NAME", "SERVERS", "TOKEN FILE", "TLS CA")
            + String.format(row, "-", "prod", "cp-1:9700,cp-2:9700", token, "/etc/wharf/ca.pem")
            + String.format(row, "*", "staging", "cp-9:9700", "-", "-"),
        r.out());
  }

  @Test
  void viewShowsTheFileAsReadAndNeverTheToken() {
    cli.env.put("WHARF_TOKEN", "env-" + SECRET);

    Result yaml = cli.run("config", "view");
    Result json = cli.run("config", "view", "-o", "json");

    assertEquals(0, yaml.exitCode(), yaml.toString());
    assertEquals(
        "path: "
            + file
            + "\ncurrent-context: staging\ncontexts:\n"
            + "  - name: prod\n"
            + "    servers:\n      - cp-1:9700\n      - cp-2:9700\n"
            + "    token-file: "
            + home.resolve(".config/wharf/prod.token")
            + "\n    tls-ca: /etc/wharf/ca.pem\n"
            + "  - name: staging\n    servers:\n      - cp-9:9700\n",
        yaml.out());
    for (Result r : new Result[] {yaml, json}) {
      assertFalse(r.out().contains(SECRET), r.out());
      assertFalse(r.err().contains(SECRET), r.err());
    }
    assertTrue(json.out().contains("\"current-context\": \"staging\""), json.out());
  }

  @Test
  void useContextChangesOnlyThatLineAndTheNextCommandUsesIt() throws Exception {
    // A replica that accepts only the context's token (a viewer's).
    cli.serveReplica("cp-1:9700", "viewer " + SECRET + " alice");

    Result r = cli.run("config", "use-context", "prod");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("Switched to context \"prod\" (" + file + ").\n", r.out());
    assertEquals(
        """
        # the team's clusters
        current-context: prod
        contexts:
          - name: prod   # careful
            servers: [cp-1:9700, cp-2:9700]
            token-file: prod.token
            tls-ca: /etc/wharf/ca.pem
          - name: staging
            servers: cp-9:9700
        """,
        Files.readString(file));
    Result version = cli.run("version");
    assertEquals(0, version.exitCode(), version.toString());
    assertTrue(version.out().contains("Server Replica: cp-1\n"), version.out());
  }

  @Test
  void useContextOfAnUnknownNameIsExitOneAndTheFileIsUntouched() throws Exception {
    String before = Files.readString(file);

    Result r = cli.run("config", "use-context", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: no context named 'nope' in " + file + " (known: prod, staging)\n", r.err());
    assertEquals(before, Files.readString(file));
  }

  @Test
  void useContextAddsTheLineToAFileWithoutOne() throws Exception {
    Files.writeString(file, "contexts:\n  - {name: a, servers: [cp-1:9700]}\n");

    Result r = cli.run("config", "use-context", "a");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        "current-context: a\ncontexts:\n  - {name: a, servers: [cp-1:9700]}\n",
        Files.readString(file));
  }
}
