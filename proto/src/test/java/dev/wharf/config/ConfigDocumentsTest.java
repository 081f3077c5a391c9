package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.DrainPolicy;
import dev.wharf.proto.config.v1.LoadBalancing;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigDocumentsTest {

  @ParameterizedTest(name = "variant {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void everyFieldSurvivesARoundTripThroughYamlAndJson(int variant) {
    Config full = new ConfigFiller(1234 + variant, variant).fill(Config.getDefaultInstance());

    ConfigDocuments.Parsed fromYaml = ConfigDocuments.parse(ConfigDocuments.toYaml(full), "yaml");
    ConfigDocuments.Parsed fromJson = ConfigDocuments.parse(ConfigDocuments.toJson(full), "json");

    assertEquals(List.of(), fromYaml.errors());
    assertEquals(full, fromYaml.config());
    assertEquals(List.of(), fromJson.errors());
    assertEquals(full, fromJson.config());
  }

  @Test
  void readableDurationsSizesAndEnumsAreReadAndWrittenBack() {
    String yaml =
        """
        listeners:
          - name: web
            port: 8080
            keepalive_timeout: 1m30s
            max_request_header_size: 32k
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000", weight: 3}]
            balancing: {policy: least_connections}
            drain: {mode: keep}
        routes:
          - name: r
            match: {path: {prefix: /}}
            proxy: {upstream: api, read_timeout: 500ms, websocket: {enabled: false}}
            max_body_size: 80m
        """;

    Config config = ConfigDocuments.parse(yaml, "test").config();

    assertEquals(90, config.getListeners(0).getKeepaliveTimeout().getSeconds());
    assertEquals(32 * 1024, config.getListeners(0).getMaxRequestHeaderSize().getBytes());
    assertEquals(
        LoadBalancing.Policy.LEAST_CONNECTIONS, config.getUpstreams(0).getBalancing().getPolicy());
    assertEquals(DrainPolicy.Mode.KEEP, config.getUpstreams(0).getDrain().getMode());
    assertEquals(500_000_000, config.getRoutes(0).getProxy().getReadTimeout().getNanos());
    assertTrue(
        config.getRoutes(0).getProxy().getWebsocket().hasEnabled(),
        "an explicit false must be kept apart from unset");
    String written = ConfigDocuments.toYaml(config);
    assertTrue(written.contains("keepalive_timeout: 1m30s"), written);
    assertTrue(written.contains("max_request_header_size: 32k"), written);
    assertTrue(written.contains("policy: least_connections"), written);
    assertTrue(written.contains("max_body_size: 80m"), written);
    assertTrue(written.contains("enabled: false"), written);
  }

  @Test
  void everyReadingErrorIsReportedWithItsPathAndLine() {
    String yaml =
        """
        listeners:
          - name: web
            port: eighty
            keepalive_timout: 5s
        upstreams:
          - name: api
            connect_timeout: 5
            balancing: {policy: fastest}
        routes:
          - name: r
            match: {path: {prefix: /, exact: /x}}
            proxy: {upstream: api}
            static: {root: /srv}
            max_body_size: 10 MB
        """;

    List<String> errors =
        ConfigDocuments.parse(yaml, "test").errors().stream().map(ConfigError::toString).toList();

    assertEquals(
        List.of(
            "listeners[0].port: expected a whole number (line 3)",
            "listeners[0].keepalive_timout: unknown field (expected one of: name, address, port, "
                + "client_header_timeout, client_body_timeout, keepalive_timeout, send_timeout, "
                + "max_request_header_size, max_uri_length, access_log, compression, "
                + "underscores_in_headers, max_header_line_size, tls, proxy_protocol, real_ip, "
                + "https_redirect, http2) (line 4)",
            "upstreams[0].connect_timeout: '5' has no unit (write e.g. 5s or 5ms) (line 7)",
            "upstreams[0].balancing.policy: 'fastest' is not one of round_robin, "
                + "least_connections, consistent_hash, random (line 8)",
            "routes[0].match.path.exact: only one of exact, prefix, prefix_no_regex, regex, "
                + "regex_case_insensitive may be set, and prefix already is (line 11)",
            "routes[0].static: only one of proxy, static, redirect, respond may be set, "
                + "and proxy already is (line 13)",
            "routes[0].max_body_size: '10 MB' is not a size (expected bytes, or a number with "
                + "k, m or g: 16k, 80m) (line 14)"),
        errors);
  }

  @Test
  void aFieldGivenTwiceIsAnErrorNotASilentOverride() {
    String yaml =
        """
        upstreams:
          - name: a
            name: b
        """;

    List<ConfigError> errors = ConfigDocuments.parse(yaml, "test").errors();

    assertEquals(List.of(new ConfigError("upstreams[0].name", "given twice", 3)), errors);
  }

  @Test
  void brokenYamlSyntaxNamesTheLine() {
    String yaml = "routes:\n  - name: a\n    match: {path: [\n";

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigDocuments.load(yaml, "broken.yaml"));

    assertEquals(1, e.errors().size());
    assertTrue(e.errors().get(0).message().startsWith("not valid YAML"), e.getMessage());
    assertEquals(4, e.errors().get(0).line());
  }

  @Test
  void jsonDocumentsAreReadLikeYaml() throws ConfigException {
    String json =
        """
        {"upstreams": [{"name": "api", "endpoints": [{"address": "10.0.0.1:80"}]}],
         "routes": [{"name": "r", "match": {"path": {"prefix": "/"}},
                     "proxy": {"upstream": "api", "connect_timeout": "250ms"}}]}
        """;

    Config config = ConfigDocuments.load(json, "test.json");

    assertEquals(250_000_000, config.getRoutes(0).getProxy().getConnectTimeout().getNanos());
  }

  @Test
  void anEmptyDocumentIsRefusedRatherThanServingNothing() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigDocuments.load("  \n", "empty.yaml"));

    assertEquals("empty.yaml is empty", e.errors().get(0).message());
    assertEquals(Config.getDefaultInstance(), ConfigDocuments.parse("", "empty.yaml").config());
  }

  @Test
  void validationErrorsPointAtTheLineOfTheirField() {
    String yaml =
        """
        upstreams: []
        routes:
          - name: r
            match: {path: {prefix: /}}
            proxy:
              upstream: missing
        """;

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocuments.load(yaml, "t"));

    assertEquals(
        List.of(
            new ConfigError(
                "routes[0].proxy.upstream",
                "no upstream named 'missing' (none are defined)",
                6,
                "route r")),
        e.errors());
  }
}
