package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * limit_req_zone / limit_conn_zone at the http level and limit_req / limit_conn with their status
 * at every level, inherited as nginx inherits them; the result validates.
 */
class RateLimitImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  private static final String HTTP =
      """
      http {
          limit_req_zone $binary_remote_addr zone=perip:10m rate=10r/s;
          limit_req_zone $http_x_api_key zone=key:1m rate=30r/m;
          limit_conn_zone $binary_remote_addr zone=addr:10m;
          server {
              listen 80;
              limit_req zone=perip burst=20 nodelay;
              limit_conn addr 10;
              location / { proxy_pass http://127.0.0.1:9000; }
              location /api/ {
                  limit_req zone=key burst=5 delay=2;
                  limit_req_status 429;
                  proxy_pass http://127.0.0.1:9000;
              }
              location = /health { return 200 ok; }
          }
      }
      """;

  @Test
  void zonesBecomeRateLimitZonesWithNginxsSizesAndRates() {
    Config c = imports.of(HTTP).config();
    assertEquals(
        """
        rate_limit_zones:
          - name: perip
            key: $binary_remote_addr
            size: 10m
            rate: 10r/s
          - name: key
            key: $http_x_api_key
            size: 1m
            rate: 30r/m
          - name: addr
            kind: connections
            key: $binary_remote_addr
            size: 10m
        """,
        yaml(Config.newBuilder().addAllRateLimitZones(c.getRateLimitZonesList()).build()));
  }

  @Test
  void aLocationInheritsTheServersLimitsUnlessItHasItsOwnLimitReq() {
    Config c = imports.of(HTTP).config();
    assertEquals(
        """
        limit_req:
          - zone: perip
            burst: 20
            nodelay: true
            status: 503
        limit_conn:
          - zone: addr
            max: 10
            status: 503
        """,
        yaml(
            route(c, "root").toBuilder()
                .clearName()
                .clearMatch()
                .clearProxy()
                .clearRequestHeaders()
                .clearSlashRedirect()
                .build()));
    assertEquals(
        """
        limit_req:
          - zone: key
            burst: 5
            delay: 2
            status: 429
        limit_conn:
          - zone: addr
            max: 10
            status: 503
        """,
        yaml(
            route(c, "api").toBuilder()
                .clearName()
                .clearMatch()
                .clearProxy()
                .clearRequestHeaders()
                .clearSlashRedirect()
                .build()));
    assertEquals(
        0, route(c, "exact-health").getLimitReqCount(), "return runs before limit_req in nginx");
  }

  @Test
  void aReferenceToAZoneThatIsNotDefinedIsReportedAndLeftOut() {
    NginxImport.Result r =
        imports.of(
            """
            http {
                limit_req_zone $no_such_variable zone=bad:10m rate=1r/s;
                server {
                    listen 80;
                    location / { limit_req zone=bad; limit_req zone=missing burst=x;
                                 proxy_pass http://127.0.0.1:9000; }
                }
            }
            """);
    assertEquals(0, r.config().getRateLimitZonesCount());
    assertEquals(0, route(r.config(), "root").getLimitReqCount());
    List<String> notTranslated = imports.lines(r, Kind.NOT_TRANSLATED);
    assertEquals(3, notTranslated.size(), notTranslated.toString());
    assertTrue(
        notTranslated.get(0).contains("Wharf has no variable $no_such_variable"),
        notTranslated.toString());
  }
}
