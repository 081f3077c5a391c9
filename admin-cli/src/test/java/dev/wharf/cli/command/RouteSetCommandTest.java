package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.config.v1.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** route set against the real Admin service holding the demo config at version {@code v}. */
class RouteSetCommandTest {
  @TempDir Path home;
  private Cli cli;
  private RealAdmin admin;
  private long v;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    admin = cli.serveReal("cp-1:9700");
    v = admin.commit(Configs.demo());
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void aNewRouteIsCreatedWithWhatIsGivenAndPlacedWhereAsked() {
    Result r =
        cli.run(
            "route",
            "set",
            "v2",
            "--regex",
            "^/v2/(.*)",
            "--upstream",
            "app",
            "--host",
            "api.example.com",
            "--host",
            "*.api.example.com",
            "--listener",
            "demo",
            "--rewrite",
            "^/v2/(.*)",
            "/$1",
            "--before",
            "old-docs");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("+ route v2\napplied: version " + (v + 1) + "\n", r.out());
    assertEquals(
        Configs.parse(
                """
        upstreams: [{name: app, endpoints: [{address: "127.0.0.1:9000"}]}]
        listeners: [{name: demo, port: 8080}]
        routes:
          - name: v2
            listeners: [demo]
            match:
              hosts: [api.example.com, "*.api.example.com"]
              path: {regex: ^/v2/(.*)}
            proxy:
              upstream: app
              rewrite: {regex: ^/v2/(.*), replacement: /$1}
        """)
            .getRoutes(0),
        route("v2"));
    assertEquals(
        List.of("hello", "api", "ws", "v2", "old-docs", "echo"),
        admin.config().getRoutesList().stream().map(Route::getName).toList());
  }

  @Test
  void anExistingRouteChangesOnlyInWhatIsGiven() {
    Route before = route("api");

    Result r = cli.run("route", "set", "api", "--upstream", "app", "--prefix", "/api/v2/");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ~ route api: match.path.prefix: /api/ -> /api/v2/
        ~ route api: proxy.upstream: echo -> app
        applied: version %d
        """
            .formatted(v + 1),
        r.out());
    Route expected =
        before.toBuilder()
            .setMatch(
                before.getMatch().toBuilder()
                    .setPath(before.getMatch().getPath().toBuilder().setPrefix("/api/v2/")))
            .setProxy(before.getProxy().toBuilder().setUpstream("app")) // rewrite kept
            .build();
    assertEquals(expected, route("api")); // headers, listeners, rewrite: as they were
  }

  @Test
  void aRespondRouteGivenAnUpstreamBecomesAProxyRoute() {
    Result r = cli.run("route", "set", "hello", "--upstream", "app");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("app", route("hello").getProxy().getUpstream());
    assertEquals(Route.ActionCase.PROXY, route("hello").getActionCase());
  }

  @Test
  void anEmptyHostClearsTheListAndNoRewriteRemovesTheRewrite() {
    cli.run("route", "set", "api", "--host", "example.com");

    Result r = cli.run("route", "set", "api", "--host", "", "--no-rewrite");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of(), route("api").getMatch().getHostsList());
    assertEquals(false, route("api").getProxy().hasRewrite());
  }

  @Test
  void aNewRouteWithoutPathOrUpstreamIsRefusedBeforeAnythingIsWritten() {
    Result r = cli.run("route", "set", "v3", "--prefix", "/v3/");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: there is no route 'v3'; to create it, give a path (--prefix, --exact, "
            + "--prefix-no-regex, --regex or --regex-case-insensitive) and --upstream\n",
        r.err());
    assertEquals(v, admin.version());
  }

  @Test
  void aRouteTheControlPlaneRefusesListsEachFieldViolationAndExitsOne() {
    Result r = cli.run("route", "set", "api", "--regex", "^/(x", "--upstream", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: the config is invalid (2 errors):
          route api: routes[1].match.path.regex: unclosed group near index 4
          route api: routes[1].proxy.upstream: no upstream named 'nope' (known: app, echo)
        """,
        r.err());
    assertEquals(v, admin.version());
  }

  @Test
  void beforeMovesAnExistingRouteAndNothingElseOfIt() {
    Route echo = route("echo");

    Result r = cli.run("route", "set", "echo", "--before", "hello");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("~ route echo: (position): 4 -> 0\napplied: version " + (v + 1) + "\n", r.out());
    assertEquals(
        List.of("echo", "hello", "api", "ws", "old-docs"),
        admin.config().getRoutesList().stream().map(Route::getName).toList());
    assertEquals(echo, route("echo"));
  }

  @Test
  void twoPathKindsAtOnceAreAUsageErrorWithExitOne() {
    Result r = cli.run("route", "set", "api", "--prefix", "/a", "--exact", "/b");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: --exact=PATH, --prefix=PATH are mutually exclusive (specify only one)
        Try 'wharfctl route set --help' for more information.
        """,
        r.err());
  }

  @Test
  void routeWithoutSetIsAUsageError() {
    Result r = cli.run("route");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: Missing required subcommand: set
        Try 'wharfctl route --help' for more information.
        """,
        r.err());
  }

  private Route route(String name) {
    return admin.config().getRoutesList().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route " + name));
  }
}
