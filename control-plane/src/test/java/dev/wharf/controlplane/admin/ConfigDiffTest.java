package dev.wharf.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.FieldChange;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.config.v1.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  private static final String BASE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: api
          endpoints: [{address: "10.0.0.1:80", weight: 1}, {address: "10.0.0.2:80", weight: 1}]
          connect_timeout: 5s
      routes:
        - {name: a, match: {path: {prefix: /a}}, proxy: {upstream: api}}
        - {name: b, match: {path: {prefix: /b}}, respond: {body: b}}
        - {name: c, match: {path: {prefix: /c}}, respond: {body: c}}
      """;

  @Test
  void identicalConfigsHaveNoChanges() {
    List<ObjectChange> changes = ConfigDiff.between(config(BASE), config(BASE));

    assertEquals(List.of(), changes);
    assertEquals("no change", ConfigDiff.summary(changes));
  }

  @Test
  void createdAndDeletedObjectsAreListedListenersFirstThenUpstreamsThenRoutesByName() {
    Config after =
        config(
            BASE.replace(
                        """
        listeners:
          - {name: web, port: 8080}
        """,
                        """
        listeners:
          - {name: web, port: 8080}
          - {name: admin, port: 9090}
        """)
                    .replace("  - {name: b, match: {path: {prefix: /b}}, respond: {body: b}}\n", "")
                + "  - {name: d, match: {path: {prefix: /d}}, respond: {body: d}}\n");

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(
        List.of("CREATE listener admin", "DELETE route b", "CREATE route d"),
        changes.stream().map(ConfigDiffTest::line).toList());
    assertTrue(changes.stream().allMatch(c -> c.getFieldsCount() == 0), changes.toString());
    assertEquals("+1 listener, +1 route, -1 route", ConfigDiff.summary(changes));
  }

  @Test
  void anUpdateNamesEachChangedFieldByItsPathWithValuesAsYamlShowsThem() {
    Config after =
        config(
            BASE.replace(
                    "{address: \"10.0.0.2:80\", weight: 1}",
                    "{address: \"10.0.0.2:80\", weight: 3}")
                .replace(
                    "connect_timeout: 5s",
                    "connect_timeout: 1m30s\n    balancing: {policy: least_connections}")
                .replace("proxy: {upstream: api}", "proxy: {upstream: api-v2}"));

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(
        List.of("UPDATE upstream api", "UPDATE route a"),
        changes.stream().map(ConfigDiffTest::line).toList());
    assertEquals(
        List.of(
            "endpoints[1].weight: 1 -> 3",
            "balancing: '' -> {policy: least_connections}",
            "connect_timeout: 5s -> 1m30s"),
        fields(changes.get(0)));
    assertEquals(List.of("proxy.upstream: api -> api-v2"), fields(changes.get(1)));
    assertEquals("~1 upstream, ~1 route", ConfigDiff.summary(changes));
  }

  @Test
  void anElementAddedAtTheEndOfAListIsOneChangeShowingTheWholeElement() {
    Config after =
        config(
            BASE.replace(
                "{address: \"10.0.0.2:80\", weight: 1}]",
                "{address: \"10.0.0.2:80\", weight: 1}, {address: \"10.0.0.3:80\", weight: 2}]"));

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(
        List.of("endpoints[2]: '' -> {address: '10.0.0.3:80', weight: 2}"), fields(changes.get(0)));
    FieldChange added = changes.get(0).getFields(0);
    assertEquals("", added.getOldValue(), "the side where it is absent is empty");
  }

  @Test
  void switchingARoutesActionRemovesOneActionAndAddsTheOther() {
    Config after =
        config(
            BASE.replace(
                "proxy: {upstream: api}", "respond: {status: 503, body: down for maintenance}"));

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(
        List.of(
            "proxy: {upstream: api} -> ''",
            "respond: '' -> {status: 503, body: down for maintenance}"),
        fields(changes.get(0)));
  }

  @Test
  void mapEntriesAreComparedByKeyAndStringsAreQuotedOnlyWhereYamlNeedsIt() {
    String before =
        """
        routes:
          - name: files
            match: {path: {prefix: /}}
            static: {root: /srv, mime_types: {wasm: application/wasm, js: text/javascript}}
        """;
    String after =
        """
        routes:
          - name: files
            match: {path: {prefix: /}}
            static: {root: /srv, mime_types: {wasm: application/wasm, mjs: text/javascript}}
        """;

    List<ObjectChange> changes = ConfigDiff.between(config(before), config(after));

    assertEquals(
        List.of(
            "static.mime_types.js: text/javascript -> ''",
            "static.mime_types.mjs: '' -> text/javascript"),
        fields(changes.get(0)));

    Config quoted =
        config(
            BASE.replace("respond: {body: b}", "respond: {body: \"true\"}")
                .replace("respond: {body: c}", "respond: {body: \"line one\\nline two\"}"));
    assertEquals(
        List.of("respond.body: b -> 'true'"),
        fields(ConfigDiff.between(config(BASE), quoted).get(0)));
    assertEquals(
        List.of("respond.body: c -> \"line one\\nline two\""),
        fields(ConfigDiff.between(config(BASE), quoted).get(1)));
  }

  @Test
  void aRouteMovedAmongTheOthersIsAnUpdateOfItsPosition() {
    Config after =
        config(
            BASE.replace(
                """
          - {name: a, match: {path: {prefix: /a}}, proxy: {upstream: api}}
          - {name: b, match: {path: {prefix: /b}}, respond: {body: b}}
          - {name: c, match: {path: {prefix: /c}}, respond: {body: c}}
        """,
                """
          - {name: c, match: {path: {prefix: /c}}, respond: {body: c}}
          - {name: a, match: {path: {prefix: /a}}, proxy: {upstream: api}}
          - {name: b, match: {path: {prefix: /b}}, respond: {body: b}}
        """));

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(List.of("UPDATE route c"), changes.stream().map(ConfigDiffTest::line).toList());
    assertEquals(List.of("(position): 2 -> 0"), fields(changes.get(0)));
  }

  @Test
  void routesShiftedByAnInsertionOrADeletionElsewhereDidNotMove() {
    Config after =
        config(
            BASE.replace(
                    "routes:\n",
                    "routes:\n  - {name: first, match: {path: {exact: /}}, respond: {body: x}}\n")
                .replace("  - {name: b, match: {path: {prefix: /b}}, respond: {body: b}}\n", ""));

    List<ObjectChange> changes = ConfigDiff.between(config(BASE), after);

    assertEquals(
        List.of("DELETE route b", "CREATE route first"),
        changes.stream().map(ConfigDiffTest::line).toList());
  }

  @Test
  void theOrderOfListenersAndUpstreamsIsNoChange() {
    String two = "listeners:\n  - {name: a, port: 1}\n  - {name: b, port: 2}\n";
    String swapped = "listeners:\n  - {name: b, port: 2}\n  - {name: a, port: 1}\n";

    assertEquals(List.of(), ConfigDiff.between(config(two), config(swapped)));
  }

  private static Config config(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test.yaml");
    assertEquals(List.of(), parsed.errors(), yaml);
    return parsed.config();
  }

  private static String line(ObjectChange c) {
    return c.getAction().name().substring("ACTION_".length())
        + " "
        + ObjectKinds.noun(c.getKind())
        + " "
        + c.getName();
  }

  private static List<String> fields(ObjectChange c) {
    return c.getFieldsList().stream()
        .map(f -> f.getPath() + ": " + show(f.getOldValue()) + " -> " + show(f.getNewValue()))
        .toList();
  }

  private static String show(String value) {
    return value.isEmpty() ? "''" : value;
  }
}
