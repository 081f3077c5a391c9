package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain reads config.proto's comments; no server is served, none is needed. */
class ExplainCommandTest {
  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void start() {
    cli = new Cli(home); // nothing served: a command that called the Admin API would fail
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void aKindListsItsFieldsWithTheirTypesAndComments() {
    Result r = cli.run("explain", "upstream");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("KIND:     upstream\n\nDESCRIPTION:\n"), r.out());
    assertTrue(r.out().contains("\nFIELDS:\n  name <string>\n  endpoints <[]Endpoint>\n"), r.out());
    assertTrue(
        r.out()
            .contains(
                "  connect_timeout <duration>\n    nginx proxy_connect_timeout (default 60s).\n"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "  health_check <HealthCheck>\n"
                    + "    Active health checking run by every node; unset means endpoints are"
                    + " considered healthy\n"),
        r.out());
    assertEquals("", r.err());
  }

  @Test
  void aNestedFieldIsItsTypeItsCommentAndForAnObjectItsFields() {
    Result leaf = cli.run("explain", "route.proxy.read_timeout");
    Result object = cli.run("explain", "upstreams.endpoints");

    assertEquals(0, leaf.exitCode(), leaf.toString());
    assertEquals(
        """
        KIND:     route
        FIELD:    proxy.read_timeout <duration>

        DESCRIPTION:
            nginx proxy_read_timeout (default 60s): time between two reads from the upstream.
        """,
        leaf.out());
    assertEquals(0, object.exitCode(), object.toString());
    assertTrue(
        object.out().startsWith("KIND:     upstream\nFIELD:    endpoints <[]Endpoint>\n"),
        object.out());
    assertTrue(
        object
            .out()
            .contains(
                "FIELDS:\n  address <string>\n    `host:port`; an IPv6 host is written in brackets:"
                    + " `[::1]:8080`.\n  weight <integer>\n"),
        object.out());
  }

  @Test
  void anEnumListsItsValuesAsDocumentsWriteThem() {
    Result r = cli.run("explain", "upstream.balancing.policy");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("\nVALUES:\n    round_robin\n    least_connections\n"), r.out());
  }

  @Test
  void anUnknownFieldOrKindIsOneLineAndExitOne() {
    Result field = cli.run("explain", "route.proxy.upstreem");
    Result kind = cli.run("explain", "pod");
    Result intoAScalar = cli.run("explain", "route.proxy.read_timeout.seconds");

    assertEquals(1, field.exitCode(), field.toString());
    assertEquals("", field.out());
    assertTrue(
        field.err().startsWith("error: no field 'upstreem' in route.proxy (its fields: upstream, "),
        field.err());
    assertEquals(1, field.err().lines().count(), field.err());
    assertEquals(1, kind.exitCode(), kind.toString());
    assertEquals(
        "error: unknown kind 'pod' (expected: config, listener, upstream or route)\n", kind.err());
    assertEquals(1, intoAScalar.exitCode(), intoAScalar.toString());
    assertEquals(
        "error: route.proxy.read_timeout is a duration; it has no field 'seconds'\n",
        intoAScalar.err());
  }
}
