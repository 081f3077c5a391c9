package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * get against the real Admin service holding the demo config (deploy/examples/demo.yaml) at version
 * {@code v}.
 */
class GetCommandTest {
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
  void routesAreATableInDocumentOrderWithPathsWrittenAsNginxLocations() {
    Result r = cli.run("get", "routes");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        NAME       HOSTS   PATH              ACTION                                   LISTENERS
        hello      *       = /               respond 200                              demo
        api        *       /api/             proxy echo (rewrite ^/api/?(.*) /$1)     demo
        ws         *       ^~ /ws            proxy app                                demo
        old-docs   *       ~* ^/docs/(.*)$   redirect 301 https://wharf.dev/docs/$1   demo
        echo       *       /                 respond 200                              echo
        """,
        r.out());
  }

  @Test
  void upstreamsAndListenersAreTablesByName() {
    Result upstreams = cli.run("get", "upstream");
    Result listeners = cli.run("get", "listeners");

    assertEquals(
        """
        NAME   ENDPOINTS   BALANCING     HEALTH CHECK
        app    1           round_robin   http / every 5s
        echo   1           round_robin   -
        """,
        upstreams.out());
    assertEquals(
        """
        NAME   ADDRESS          ACCESS LOG
        demo   127.0.0.1:8080   stdout
        echo   127.0.0.1:8081   -
        """,
        listeners.out());
  }

  @Test
  void oneObjectAsATableIsItsRow() {
    Result r = cli.run("get", "upstream", "app");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        NAME   ENDPOINTS   BALANCING     HEALTH CHECK
        app    1           round_robin   http / every 5s
        """,
        r.out());
  }

  @Test
  void oneObjectAsYamlIsTheObjectItself() {
    Result r = cli.run("get", "route", "ws", "-o", "yaml");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        name: ws
        listeners:
          - demo
        match:
          path:
            prefix_no_regex: /ws
        proxy:
          upstream: app
          websocket:
            idle_timeout: 1h
        """,
        r.out());
  }

  @Test
  void oneObjectAsJsonIsTheObjectItselfWithNumbersAsNumbers() {
    Result r = cli.run("get", "listener", "echo", "--output", "json");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        {
          "name": "echo",
          "address": "127.0.0.1",
          "port": 8081
        }
        """,
        r.out());
  }

  @Test
  void aListAsYamlOrJsonIsADocumentOfJustThoseObjects() {
    Config demo = Configs.demo();
    Config upstreamsOnly =
        Config.newBuilder() // by name, as the service lists them
            .addUpstreams(demo.getUpstreams(1))
            .addUpstreams(demo.getUpstreams(0))
            .build();

    Result yaml = cli.run("get", "upstreams", "-o", "yaml");
    Result json = cli.run("get", "upstreams", "-o", "json");

    assertEquals(ConfigDocuments.toYaml(upstreamsOnly, v), yaml.out());
    assertEquals(ConfigDocuments.toJson(upstreamsOnly, v), json.out());
  }

  @Test
  void theWholeConfigIsADocumentApplyTakesBackWithTheVersionItWasRead() throws Exception {
    Result r = cli.run("get", "config");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(admin.config(), ConfigDocuments.load(r.out(), "get config"));
    assertEquals(v, ConfigDocuments.loadDocument(r.out(), "get config", true).version());
  }

  @Test
  void anObjectThatIsNotThereIsExitOne() {
    Result r = cli.run("get", "route", "nope", "-o", "yaml");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no route named 'nope'\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void anUnknownKindOrFormatIsExitOne() {
    Result kind = cli.run("get", "pods");
    Result format = cli.run("get", "routes", "-o", "xml");

    assertEquals(1, kind.exitCode(), kind.toString());
    assertEquals(
        "error: unknown kind 'pods' (expected: listener, upstream or route)\n", kind.err());
    assertEquals(1, format.exitCode(), format.toString());
    assertEquals(
        "error: Invalid value for option '--output': 'xml' (expected: table, wide, name, yaml, "
            + "json or jsonpath=TEMPLATE)\n"
            + "Try 'wharfctl get --help' for more information.\n",
        format.err());
  }

  @Test
  void severalNamesShowTheOnesFoundAndAnErrorForEachMissingOneWithExitOne() {
    Result r = cli.run("get", "routes", "ws", "nope", "hello", "gone");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        NAME    HOSTS   PATH     ACTION        LISTENERS
        ws      *       ^~ /ws   proxy app     demo
        hello   *       = /      respond 200   demo
        """,
        r.out());
    assertEquals("error: no route named 'nope'\nerror: no route named 'gone'\n", r.err());
  }

  @Test
  void severalNamesAllFoundAreExitZeroAndAsYamlADocumentOfThoseObjects() {
    Config demo = Configs.demo();

    Result r = cli.run("get", "upstream", "echo", "app", "-o", "yaml");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        ConfigDocuments.toYaml(
            Config.newBuilder()
                .addUpstreams(demo.getUpstreams(0))
                .addUpstreams(demo.getUpstreams(1))
                .build(),
            v),
        r.out());
  }

  @Test
  void outputNameIsKindSlashNameOneALine() {
    Result all = cli.run("get", "routes", "-o", "name");
    Result some = cli.run("get", "listener", "echo", "nope", "-o", "name");

    assertEquals(0, all.exitCode(), all.toString());
    assertEquals("route/hello\nroute/api\nroute/ws\nroute/old-docs\nroute/echo\n", all.out());
    assertEquals(1, some.exitCode(), some.toString());
    assertEquals("listener/echo\n", some.out());
    assertEquals("error: no listener named 'nope'\n", some.err());
  }

  @Test
  void outputWideAddsColumns() {
    Result upstreams = cli.run("get", "upstreams", "-o", "wide");
    Result routes = cli.run("get", "route", "api", "-o", "wide");

    assertEquals(0, upstreams.exitCode(), upstreams.toString());
    assertEquals(
        """
        NAME   ENDPOINTS   BALANCING     HEALTH CHECK      ADDRESSES        TLS   CONNECT TIMEOUT
        app    1           round_robin   http / every 5s   127.0.0.1:9000   -     -
        echo   1           round_robin   -                 127.0.0.1:8081   -     -
        """,
        upstreams.out());
    assertEquals(
        """
        NAME   HOSTS   PATH    ACTION                                 LISTENERS   READ TIMEOUT   \
        SEND TIMEOUT   MAX BODY
        api    *       /api/   proxy echo (rewrite ^/api/?(.*) /$1)   demo        -              \
        -              -
        """,
        routes.out());
  }

  @Test
  void jsonPathPicksFieldsOfEachItemOfAList() {
    Result names = cli.run("get", "routes", "-o", "jsonpath={.items[*].name}");
    Result ranged =
        cli.run(
            "get",
            "upstreams",
            "-o",
            "jsonpath={range .items[*]}{.name}{\"\\t\"}{.endpoints[0].address}{\"\\n\"}{end}");

    assertEquals(0, names.exitCode(), names.toString());
    assertEquals("hello api ws old-docs echo", names.out());
    assertEquals(0, ranged.exitCode(), ranged.toString());
    assertEquals("app\t127.0.0.1:9000\necho\t127.0.0.1:8081\n", ranged.out());
  }

  @Test
  void jsonPathOnOneObjectStartsAtTheObjectAndPrintsObjectsAsJson() {
    Result r =
        cli.run(
            "get",
            "route",
            "ws",
            "-o",
            "jsonpath=upstream={.proxy.upstream} ws={.proxy.websocket}");
    Result missing = cli.run("get", "route", "ws", "-o", "jsonpath={.proxy.no_such_field}");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("upstream=app ws={\"idle_timeout\":\"1h\"}", r.out());
    assertEquals(0, missing.exitCode(), missing.toString());
    assertEquals("", missing.out());
  }

  @Test
  void rangesNestedBeyondTheBoundAreRefusedNotAStackOverflow() {
    String deep = "{range .items[*]}".repeat(100_000) + "{end}".repeat(100_000);
    Result r = cli.run("get", "routes", "-o", "jsonpath=" + deep);

    assertEquals(1, r.exitCode(), () -> r.err().substring(0, 200));
    assertEquals("", r.out());
    assertTrue(
        r.err().startsWith("error: -o jsonpath: {range} nested more than 16 deep at character 273"),
        () -> r.err().substring(0, 200));

    String sixteen = "{range .items[*]}".repeat(16) + "{.name}" + "{end}".repeat(16);
    assertEquals(0, cli.run("get", "routes", "-o", "jsonpath=" + sixteen).exitCode());
  }

  @Test
  void aBadJsonPathIsOneLineAndExitOneAndNothingIsAsked() {
    int callsBefore = admin.calls();
    for (String bad :
        new String[] {
          "{.items[*].name", "{range .items[*]}{.name}", "{end}", "{items}", "{.a[?(@.x)]}", "{}"
        }) {
      Result r = cli.run("get", "routes", "-o", "jsonpath=" + bad);

      assertEquals(1, r.exitCode(), bad + ": " + r);
      assertEquals("", r.out(), bad);
      assertEquals(1, r.err().lines().count(), bad + ": " + r.err());
      assertTrue(r.err().startsWith("error: -o jsonpath: "), r.err());
      assertTrue(r.err().contains(bad), r.err());
    }
    assertEquals(callsBefore, admin.calls(), "a bad template is refused before any call");
  }

  @Test
  void getConfigRefusesTheFormatsOfObjects() {
    Result r = cli.run("get", "config", "-o", "name");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: get config prints yaml or json, not name\n", r.err());
  }

  @Test
  void noObjectsOfAKindIsSaidInWords(@TempDir Path dir) {
    try (Cli empty = new Cli(dir)) {
      empty.serveReal("cp-9:9700");

      Result r = empty.run("get", "listeners", "--server", "cp-9:9700");

      assertEquals(0, r.exitCode(), r.toString());
      assertEquals("no listeners\n", r.out());
    }
  }
}
