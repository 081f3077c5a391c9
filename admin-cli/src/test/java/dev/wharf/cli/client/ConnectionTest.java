package dev.wharf.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CallRecorder;
import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Opened;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which server is asked, with which credentials, and what the user reads when that fails. Servers
 * are the control plane's real Admin service in-process; where credentials matter, a whole replica
 * (its real authentication and token file) on a loopback port. What wharfctl sent is recorded on
 * its side of the channel ({@link Cli#sent}).
 */
class ConnectionTest {
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
  void anUnreachableServerIsExitThreeAndTheMessageNamesItAndWhereItCameFrom() {
    Result r = cli.run("get", "routes", "--server", "cp-1:9700");

    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(
        r.err().startsWith("error: cannot reach the Admin API:\n  cp-1:9700: UNAVAILABLE"),
        r.err());
    assertTrue(
        r.err()
            .endsWith("check the address (from --server) and that the control plane is running\n"),
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void whenNoServerAnswersEachIsListed() {
    cli.env.put("WHARF_SERVER", "cp-1:9700,cp-2:9700");

    Result r = cli.run("nodes");

    assertEquals(3, r.exitCode(), r.toString());
    List<String> lines = r.err().lines().toList();
    assertEquals("error: cannot reach the Admin API on any of 2 servers:", lines.get(0));
    assertTrue(lines.get(1).startsWith("  cp-1:9700: UNAVAILABLE"), r.err());
    assertTrue(lines.get(2).startsWith("  cp-2:9700: UNAVAILABLE"), r.err());
    assertEquals(
        "check the address (from WHARF_SERVER) and that the control plane is running",
        lines.get(3));
  }

  @Test
  void theFirstServerDownTheSecondAnswers() {
    cli.serveReal("cp-2:9700").commit(Configs.parse(Configs.BEFORE));

    Result r = cli.run("get", "upstreams", "--server", "cp-1:9700,cp-2:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("NAME   ENDPOINTS"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void aReadAndTheWriteBasedOnItGoToTheServerThatAnswered(@TempDir Path dir) {
    RealAdmin second = cli.serveReal("cp-2:9700");
    second.commit(Configs.parse(Configs.BEFORE));
    Path file = Configs.write(dir, "wharf.yaml", Configs.AFTER);

    Result r =
        cli.run("apply", "-f", file.toString(), "--force", "--server", "cp-1:9700,cp-2:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(2, second.calls()); // GetConfig, then Apply
    assertEquals(
        List.of("cp-1:9700", "cp-2:9700"),
        cli.opened().stream().map(Opened::server).toList()); // cp-1 is not asked again
  }

  @Test
  void anErrorOtherThanUnavailableIsTheAnswerAndTheNextServerIsNotAsked() {
    cli.serveReal("cp-1:9700").commit(Configs.parse(Configs.BEFORE));
    RealAdmin second = cli.serveReal("cp-2:9700");

    Result r = cli.run("get", "route", "nope", "--server", "cp-1:9700,cp-2:9700");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no route named 'nope'\n", r.err());
    assertEquals(0, second.calls());
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsExitThreeNamingItAndTheTimeout() {
    // Purpose-built: a server that took the call and never answers (a hung replica).
    cli.serve(
        "cp-1:9700",
        new AdminGrpc.AdminImplBase() {
          @Override
          public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
            // holds the call open, answering nothing
          }
        });
    RealAdmin second = cli.serveReal("cp-2:9700");

    Result r = cli.run("nodes", "--server", "cp-1:9700,cp-2:9700", "--timeout", "100ms");

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(
        "error: cp-1:9700 did not answer within 100ms; check that the control plane is "
            + "healthy, or give a longer --timeout\n",
        r.err());
    assertEquals(0, second.calls()); // it was connected: an answer, not an unreachable server
  }

  @Test
  void theTokenIsSentAsBearerMetadata() {
    cli.serveReplica("cp-1:9700", "admin s3cret alice");
    cli.env.put("WHARF_TOKEN", "s3cret");

    Result r = cli.run("nodes", "--server", "cp-1:9700");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("Bearer s3cret"), authorizations("cp-1:9700"));
  }

  @Test
  void withoutATokenTheServerRefusesAndTheMessageSaysHowToGiveOne() {
    cli.serveReplica("cp-1:9700", "admin s3cret alice");

    Result r = cli.run("nodes", "--server", "cp-1:9700");

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(
        "error: cp-1:9700 did not accept the credentials (missing bearer token "
            + "(authorization: Bearer <token>)); "
            + "no token was sent: give one with --token-file, --token, WHARF_TOKEN or the context's "
            + "token-file\n",
        r.err());
  }

  @Test
  void aWrongTokenIsExitThreeNamingWhereItCameFrom(@TempDir Path dir) {
    // loopback: a token sent in plaintext there is not warned about
    cli.serveReplica("127.0.0.1:9700", "admin s3cret alice");
    Path tokenFile = Configs.write(dir, "token", "wrong\n");

    Result r = cli.run("nodes", "--server", "127.0.0.1:9700", "--token-file", tokenFile.toString());

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(
        "error: 127.0.0.1:9700 did not accept the credentials (unknown bearer token); "
            + "check the token (from --token-file "
            + tokenFile
            + ")\n",
        r.err());
  }

  @Test
  void aViewerThatWritesIsDeniedWithExitThreeAndToldWhatRoleItNeeds() {
    RealAdmin admin = cli.serveReplica("127.0.0.1:9700", "viewer look bob");
    admin.commit(Configs.parse(Configs.BEFORE));

    Result r = cli.run("delete", "route", "old", "--server", "127.0.0.1:9700", "--token", "look");

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals(
        "error: 127.0.0.1:9700 refused: permission denied: wharf.admin.v1.Admin/DeleteObject "
            + "needs the admin role; bob has the viewer role (token from --token)\n",
        r.err());
    assertEquals(Configs.parse(Configs.BEFORE), admin.config());
  }

  @Test
  void aTokenForARemoteServerOverPlaintextIsWarnedAbout() {
    cli.serveReal("cp.example.com:9700");

    Result r = cli.run("nodes", "--server", "cp.example.com:9700", "--token", "t");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        "warning: the token is sent to cp.example.com:9700 in plaintext (no --tls-ca)\n", r.err());
  }

  @Test
  void tokenAndTokenFileTogetherAreAMistake() {
    Result r = cli.run("nodes", "--token", "a", "--token-file", "b");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: give --token or --token-file, not both\n", r.err());
  }

  @Test
  void aServerThatIsNotHostAndPortIsExitOne() {
    Result r = cli.run("nodes", "--server", "cp-1");

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("error: --server: 'cp-1' is not host:port"), r.err());
  }

  @Test
  void withNothingGivenTheDefaultServerIsAsked() {
    cli.run("nodes");

    assertEquals(List.of(new Opened("127.0.0.1:9700", Optional.empty())), cli.opened());
  }

  @Test
  void theCurrentContextGivesServersTokenAndCa(@TempDir Path dir) {
    cli.serveReplica("prod-2:9700", "admin p alice");
    writeContexts(dir);

    Result r = cli.run("nodes");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of("Bearer p"), authorizations("prod-2:9700"));
    assertEquals(
        List.of(
            new Opened("prod-1:9700", Optional.of(home.resolve("ca.pem"))),
            new Opened("prod-2:9700", Optional.of(home.resolve("ca.pem")))),
        cli.opened());
  }

  @Test
  void anEnvironmentVariableWinsOverTheContextAndAFlagOverBoth(@TempDir Path dir) {
    cli.serveReal("env:9700");
    cli.serveReal("flag:9700");
    writeContexts(dir);
    cli.env.put("WHARF_SERVER", "env:9700");
    cli.env.put("WHARF_TLS_CA", "/env/ca.pem");

    cli.run("nodes");
    cli.run("nodes", "--server", "flag:9700", "--tls-ca", "/flag/ca.pem");

    assertEquals(
        List.of(
            new Opened("env:9700", Optional.of(Path.of("/env/ca.pem"))),
            new Opened("flag:9700", Optional.of(Path.of("/flag/ca.pem")))),
        cli.opened());
  }

  @Test
  void contextPicksAnotherContextOfTheFile(@TempDir Path dir) {
    cli.serveReal("staging:9700");
    writeContexts(dir);

    Result r = cli.run("nodes", "--context", "staging");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of(""), authorizations("staging:9700"));
    assertEquals(List.of(new Opened("staging:9700", Optional.empty())), cli.opened());
  }

  @Test
  void anUnknownContextIsExitOneListingTheKnownOnes(@TempDir Path dir) {
    Path file = writeContexts(dir);

    Result r = cli.run("nodes", "--context", "qa");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no context named 'qa' in " + file + " (known: prod, staging)\n", r.err());
    assertTrue(cli.opened().isEmpty());
  }

  @Test
  void aMisspeltKeyInTheContextsFileIsReportedNotIgnored(@TempDir Path dir) {
    Path file =
        Configs.write(
            dir,
            "wharfctl.yaml",
            """
        contexts:
          - name: prod
            servers: [prod-1:9700]
            tokn-file: prod.token
        """);
    cli.env.put("WHARFCTL_CONFIG", file.toString());

    Result r = cli.run("nodes");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: "
            + file
            + ": contexts[0]: unknown key 'tokn-file' (known: name, "
            + "servers, tls-ca, token-file)\n",
        r.err());
  }

  @Test
  void theContextsFileIsReadFromTheHomeDirectoryByDefault() {
    Configs.write(home, "wharfctl.yaml", "");
    Path config = home.resolve(".config/wharf");
    config.toFile().mkdirs();
    Configs.write(
        config,
        "wharfctl.yaml",
        """
        current-context: here
        contexts:
          - {name: here, servers: "home-1:9700"}
        """);

    cli.run("nodes");

    assertEquals(List.of(new Opened("home-1:9700", Optional.empty())), cli.opened());
  }

  @Test
  void anUnexpectedErrorIsOneLineWithoutATraceUnlessDebugAsksForIt() {
    cli.transport(
        (server, ca) -> {
          throw new IllegalStateException("boom");
        });

    Result plain = cli.run("nodes");
    Result debug = cli.run("nodes", "--debug");

    assertEquals(1, plain.exitCode(), plain.toString());
    assertEquals("error: boom\n", plain.err());
    assertEquals(1, debug.exitCode(), debug.toString());
    assertTrue(
        debug.err().startsWith("error: boom\njava.lang.IllegalStateException: boom\n"),
        debug.err());
    assertTrue(debug.err().contains("\tat dev.wharf.cli."), debug.err());
    assertFalse(plain.err().contains("Exception"), plain.err());
  }

  /** The authorization metadata of each call wharfctl made to {@code server}, "" when none. */
  private List<String> authorizations(String server) {
    return cli.sent().stream()
        .filter(c -> c.server().equals(server))
        .map(CallRecorder.Sent::authorization)
        .toList();
  }

  /**
   * prod: two servers, a token file relative to the contexts file, a CA under {@code ~}; staging:
   * one server, nothing else.
   */
  private Path writeContexts(Path dir) {
    Configs.write(dir, "prod.token", "p\n");
    Path file =
        Configs.write(
            dir,
            "wharfctl.yaml",
            """
        current-context: prod
        contexts:
          - name: prod
            servers: [prod-1:9700, prod-2:9700]
            token-file: prod.token
            tls-ca: ~/ca.pem
          - name: staging
            servers: [staging:9700]
        """);
    cli.env.put("WHARFCTL_CONFIG", file.toString());
    return file;
  }
}
