package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of nginx's server parameters and retry settings in Wharf's form: {@code
 * endpoints[j].backup} and {@code down}, {@code outlier_detection.failure_window}, a route's {@code
 * proxy.next_upstream} and {@code next_upstream_timeout}, with the messages a user reads.
 */
class UpstreamParametersRulesTest {

  private static List<String> errorsOf(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  private static List<String> upstream(String balancing, String endpoints) {
    return errorsOf(
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            balancing: %s
            endpoints: %s
            outlier_detection: {consecutive_failures: 1, failure_window: 10s}
        """
            .formatted(balancing, endpoints));
  }

  private static List<String> proxy(String proxyYaml) {
    return errorsOf(
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        routes:
          - name: r
            match: {path: {prefix: /}}
            proxy: %s
        """
            .formatted(proxyYaml));
  }

  @Test
  void backupAndDownEndpointsAreValidWithRoundRobinAndLeastConnections() {
    String endpoints =
        "[{address: \"127.0.0.1:1\"}, {address: \"127.0.0.1:2\", backup: true},"
            + " {address: \"127.0.0.1:3\", down: true}]";
    assertEquals(List.of(), upstream("{policy: round_robin}", endpoints));
    assertEquals(List.of(), upstream("{policy: least_connections}", endpoints));
  }

  @Test
  void aBackupIsRefusedWhereNginxRefusesIt() {
    String endpoints = "[{address: \"127.0.0.1:1\"}, {address: \"127.0.0.1:2\", backup: true}]";
    assertEquals(
        List.of(
            "upstreams[0].endpoints[1].backup: not with policy consistent_hash (as in nginx, only"
                + " round_robin and least_connections have backups)"),
        upstream("{policy: consistent_hash, hash_key: $remote_addr}", endpoints));
    assertEquals(
        List.of(
            "upstreams[0].endpoints[1].backup: not with policy random (as in nginx, only"
                + " round_robin and least_connections have backups)"),
        upstream("{policy: random}", endpoints));
  }

  @Test
  void anUpstreamOfBackupsOnlyIsRefused() {
    assertEquals(
        List.of("upstreams[0].endpoints: every endpoint is a backup: at least one must not be"),
        upstream("{}", "[{address: \"127.0.0.1:1\", backup: true}]"));
  }

  @Test
  void theFailureWindowIsAboveZero() {
    assertEquals(
        List.of("upstreams[0].outlier_detection.failure_window: 0s (expected: > 0)"),
        errorsOf(
            """
            listeners:
              - {name: web, port: 8080}
            upstreams:
              - name: api
                endpoints: [{address: "127.0.0.1:1"}]
                outlier_detection: {failure_window: 0s, count_5xx_responses: false}
            """));
  }

  @Test
  void everyNginxConditionIsAccepted() {
    assertEquals(
        List.of(),
        proxy(
            "{upstream: api, next_upstream: [error, timeout, http_500, http_502, http_503,"
                + " http_504, http_429, http_403, http_404, non_idempotent],"
                + " next_upstream_timeout: 5s, connect_retries: 3}"));
    assertEquals(List.of(), proxy("{upstream: api, next_upstream: [off]}"));
  }

  @Test
  void offStandsAloneAndNothingIsListedTwice() {
    assertEquals(
        List.of(
            "routes[0].proxy.next_upstream[1]: off cannot be combined with other conditions",
            "routes[0].proxy.next_upstream[3]: listed twice",
            "routes[0].proxy.next_upstream_timeout: -1s (expected: > 0)"),
        proxy(
            "{upstream: api, next_upstream: [error, off, http_502, error],"
                + " next_upstream_timeout: -1s}"));
  }

  @Test
  void anUnknownConditionNamesTheChoices() {
    ConfigDocuments.Parsed parsed =
        ConfigDocuments.parse(
            """
            routes:
              - name: r
                match: {path: {prefix: /}}
                proxy: {upstream: api, next_upstream: [http_418]}
            """,
            "test");
    assertEquals(1, parsed.errors().size());
    String error = parsed.errors().get(0).toString();
    assertEquals(true, error.contains("routes[0].proxy.next_upstream[0]"), error);
    assertEquals(true, error.contains("'http_418' is not one of"), error);
  }
}
