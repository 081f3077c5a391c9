package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.common.BuildInfo;
import dev.wharf.controlplane.admin.ServerFacts;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * version: wharfctl's own, and the answering replica's through GetServerInfo (the control plane's
 * real Admin service, replica cp-1 on the embedded file store).
 */
class VersionCommandTest {
  /** The control plane's build, as its jar's manifest (or, run from classes, "dev") says it. */
  private static final String SERVER_VERSION = BuildInfo.version(ServerFacts.class);

  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void start() {
    cli = new Cli(home);
    cli.serveReal("cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void versionIsTheClientsThenTheServersAnswer() {
    Result r = cli.run("version", "--server", "cp-1:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        "Client Version: dev\n"
            + "Client Runtime: "
            + BuildInfo.runtime()
            + "\n"
            + "Server Version: "
            + SERVER_VERSION
            + "\n"
            + "Server Replica: cp-1\n"
            + "Server Store:   file\n"
            + "Server Runtime: "
            + BuildInfo.runtime()
            + "\n"
            + "Server Started: 2025-03-01T09:00:00Z\n",
        r.out());
  }

  @Test
  void clientVersionNeedsNoServerNorAUsableContextsFile() throws Exception {
    java.nio.file.Files.writeString(home.resolve("broken.yaml"), "contexts: 7\n");
    cli.env.put("WHARFCTL_CONFIG", home.resolve("broken.yaml").toString());

    Result r = cli.run("version", "--client", "--server", "cp-nowhere:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("Client Version: dev\nClient Runtime: " + BuildInfo.runtime() + "\n", r.out());
    assertEquals(java.util.List.of(), cli.opened(), "no channel was opened");
  }

  @Test
  void anUnreachableServerStillPrintsTheClientVersionThenExitsThree() {
    Result r = cli.run("version", "--server", "cp-nowhere:9700");

    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("Client Version: dev\n"), r.out());
    assertTrue(r.err().startsWith("error: cannot reach the Admin API:"), r.err());
  }

  @Test
  void versionAsJsonHasClientAndServer() {
    Result r = cli.run("version", "-o", "json", "--server", "cp-1:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("{\n  \"client\": {\n    \"version\": \"dev\","), r.out());
    assertTrue(
        r.out()
            .contains(
                "\"server\": {\n    \"version\": \""
                    + SERVER_VERSION
                    + "\",\n    \"replica_id\": \"cp-1\","),
        r.out());
  }
}
