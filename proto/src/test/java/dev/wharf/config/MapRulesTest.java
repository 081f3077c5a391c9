package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MapRulesTest {
  private static final String BASE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: api
          endpoints: [{address: "127.0.0.1:9000"}]
      """;

  private static List<String> errorsOf(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(BASE + yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void aMapVariableIsUsableInHeaderRulesHashKeysRedirectsAndRewrites() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            maps:
              - variable: tier
                source: $http_x_tier
                default_value: basic
                entries:
                  - {key: gold, value: premium}
                  - {key: "~*^plat(\\\\d+)$", value: "platinum-$1"}
              - {variable: tier_host, source: "$tier.$host", hostnames: true,
                 entries: [{key: "*.example.com", value: x}, {key: "www.example.*", value: y}]}
            routes:
              - name: a
                match: {path: {prefix: /}}
                proxy: {upstream: api, rewrite: {regex: "^/(.*)", replacement: "/$tier/$1"}}
                request_headers: {set: [{name: X-Tier, value: $tier_host}]}
                response_headers: {add: [{name: X-Tier, value: $tier}]}
              - name: b
                match: {path: {prefix: /b}}
                redirect: {location: "https://$tier.example.com/"}
            """));
  }

  @Test
  void aMapVariableIsDefinedOnceAndIsNoBuiltInVariable() {
    assertEquals(
        List.of(
            "maps[1].variable: $Tier is defined twice (first by maps[0])",
            "maps[2].variable: $host is a built-in variable",
            "maps[3].variable: '$x' is not a variable name (letters, digits and '_', without '$')",
            "maps[4].variable: required"),
        errorsOf(
            """
            maps:
              - {variable: tier, source: $http_x_tier}
              - {variable: Tier, source: $http_x_other}
              - {variable: host, source: $http_x_host}
              - {variable: $x, source: $uri}
              - {source: $uri}
            """));
  }

  @Test
  void aMapNamesOnlyKnownVariablesAndMapsListedBeforeIt() {
    assertEquals(
        List.of(
            "maps[0].source: unknown variable $later",
            "maps[0].entries[0].value: unknown variable $undefined",
            "maps[0].entries[1].value: $2 refers to group 2, but the regex has 1 group",
            "maps[0].entries[2].value: $1 refers to a regex group, but there is no regex here",
            "maps[1].source: unknown variable $self",
            "maps[2].source: required"),
        errorsOf(
            """
            maps:
              - variable: first
                source: $later
                entries:
                  - {key: a, value: $undefined}
                  - {key: "~^(b)", value: $2}
                  - {key: c, value: $1}
              - {variable: self, source: $self}
              - {variable: later}
            """));
  }

  @Test
  void aMapOfAResponseVariableIsNotUsableBeforeTheResponse() {
    assertEquals(
        List.of(
            "routes[0].request_headers.set[0].value: $cache has no value yet here (it is known "
                + "only after the response)"),
        errorsOf(
            """
            maps:
              - {variable: cache, source: $upstream_http_cache_control,
                 entries: [{key: no-store, value: none}]}
            routes:
              - name: a
                match: {path: {prefix: /}}
                proxy: {upstream: api}
                request_headers: {set: [{name: X-Cache, value: $cache}]}
                response_headers: {set: [{name: X-Cache, value: $cache}]}
            """));
  }

  @Test
  void regexKeysAreLinearAndHostKeysAreWellFormed() {
    List<String> errors =
        errorsOf(
            """
            maps:
              - variable: m
                source: $host
                hostnames: true
                entries:
                  - {key: "~^(a+)+\\\\1$", value: x}
                  - {key: "a.*.com", value: y}
                  - {key: "*.example.com", value: z}
            """);
    assertEquals(2, errors.size(), errors.toString());
    assertEquals(true, errors.get(0).startsWith("maps[0].entries[0].key: "), errors.toString());
    assertEquals(
        "maps[0].entries[1].key: 'a.*.com' is not a host key (`*.example.com`, `.example.com`, "
            + "`www.example.*`)",
        errors.get(1));
  }
}
