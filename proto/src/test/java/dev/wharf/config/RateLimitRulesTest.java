package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of rate-limit zones and the routes' limit_req / limit_conn, as a user reads them. */
class RateLimitRulesTest {

  private static List<String> errorsOf(String zones, String limits) {
    String yaml =
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        rate_limit_zones: %s
        routes:
          - name: r
            match: {path: {prefix: /}}
            proxy: {upstream: api}
            %s
        """
            .formatted(zones, limits);
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  private static final String ZONES =
      "[{name: one, key: $binary_remote_addr, size: 10m, rate: 10r/s},"
          + " {name: conns, kind: connections, key: $http_x_api_key}]";

  @Test
  void aValidRequestAndConnectionLimitHasNoProblem() {
    assertEquals(
        List.of(),
        errorsOf(
            ZONES,
            "limit_req: [{zone: one, burst: 5, delay: 2, status: 503}]\n"
                + "    limit_conn: [{zone: conns, max: 10}]"));
  }

  @Test
  void aRouteNamingAnUnknownZoneIsRefusedWithItsPath() {
    assertEquals(
        List.of("routes[0].limit_req[0].zone: no rate_limit_zones entry named 'nope'"),
        errorsOf(ZONES, "limit_req: [{zone: nope}]"));
  }

  @Test
  void aZoneOfTheOtherKindIsRefused() {
    assertEquals(
        List.of("routes[0].limit_conn[0].zone: 'one' is a request zone"),
        errorsOf(ZONES, "limit_conn: [{zone: one, max: 1}]"));
  }

  @Test
  void rateZeroNegativeBurstAndStatusOutOfRangeAreRefused() {
    assertEquals(
        List.of(
            "rate_limit_zones[0].rate: '0r/s' (expected: N r/s or N r/m, more than 0)",
            "routes[0].limit_req[0].burst: -1 (expected: >= 0)",
            "routes[0].limit_req[0].status: 302 (expected: 400-599)"),
        errorsOf(
            "[{name: one, key: $remote_addr, rate: 0r/s}]",
            "limit_req: [{zone: one, burst: -1, status: 302}]"));
  }

  @Test
  void aKeyWithAnUnknownVariableIsRefused() {
    List<String> errors =
        errorsOf("[{name: one, key: $no_such_thing, rate: 1r/m}]", "limit_req: [{zone: one}]");
    assertEquals(1, errors.size(), errors.toString());
    assertEquals(true, errors.get(0).startsWith("rate_limit_zones[0].key: "), errors.toString());
  }

  @Test
  void aRateOfOnePerMinuteIsKeptInNginxsUnits() {
    assertEquals(16, Rates.milliRequestsPerSecond("1r/m").getAsLong());
    assertEquals(10_000, Rates.milliRequestsPerSecond("10r/s").getAsLong());
    assertEquals(true, Rates.milliRequestsPerSecond("10r/h").isEmpty());
  }

  @Test
  void aConnectionLimitOfZeroAndAConnectionZoneWithARateAreRefused() {
    assertEquals(
        List.of(
            "rate_limit_zones[0].rate: a connection zone has no rate",
            "routes[0].limit_conn[0].max: 0 (expected: > 0)"),
        errorsOf(
            "[{name: c, kind: connections, key: $remote_addr, rate: 1r/s}]",
            "limit_conn: [{zone: c}]"));
  }
}
