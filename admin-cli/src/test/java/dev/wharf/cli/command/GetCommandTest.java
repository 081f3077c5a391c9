package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    assertEquals("error: no route is named 'nope' in version " + v + "\n", r.err());
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
        """
        error: Invalid value for option '--output': 'xml' (expected: table, yaml or json)
        Try 'wharfctl get --help' for more information.
        """,
        format.err());
  }

  @Test
  void noObjectsOfAKindIsSaidInWords(@TempDir Path dir) {
    try (Cli empty = new Cli(dir)) {
      empty.serve("cp-9:9700");

      Result r = empty.run("get", "listeners", "--server", "cp-9:9700");

      assertEquals(0, r.exitCode(), r.toString());
      assertEquals("no listeners\n", r.out());
    }
  }
}
