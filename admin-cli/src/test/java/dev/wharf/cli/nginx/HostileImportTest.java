package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker's nginx.conf arguments for the directives of the last rounds: numbers that are not
 * ASCII digits, out of range or absurdly long, in {@code error_page} and the limit directives. Each
 * is refused by nginx; the importer leaves it out with a line naming the file, the line and the
 * argument, and the rest of the config is still imported.
 */
class HostileImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void errorPageCodesInOtherScriptsDigitsAreNotStatuses() {
    // U+0664 U+0660 U+0664 is "404" in Arabic-Indic digits; nginx: invalid value
    NginxImport.Result r =
        imports.of(
            """
            server {
              listen 80;
              location / {
                root /srv;
                error_page \u0664\u0660\u0664 /404.html;
                error_page 500 =\u0662\u0660\u0660 /500.html;
                error_page 502 /502.html;
              }
            }
            """);
    assertEquals(
        List.of(502),
        route(r.config(), "root").getErrorPagesList().stream()
            .flatMap(p -> p.getCodesList().stream())
            .toList());
    List<String> notTranslated = imports.lines(r, Kind.NOT_TRANSLATED);
    assertEquals(2, notTranslated.size(), notTranslated.toString());
    assertTrue(notTranslated.get(0).startsWith("nginx.conf:5"), notTranslated.toString());
    assertTrue(notTranslated.get(1).startsWith("nginx.conf:6"), notTranslated.toString());
  }

  @Test
  void limitArgumentsOutOfRangeAreLeftOutNamingTheirLine() {
    NginxImport.Result r =
        imports.of(
            """
            http {
              limit_req_zone $binary_remote_addr zone=big:10m rate=9999999999r/s;
              limit_req_zone $binary_remote_addr zone=ok:10m rate=10r/s;
              limit_conn_zone $binary_remote_addr zone=conns:99999999999999999999m;
              server {
                listen 80;
                location / {
                  limit_req zone=ok burst=99999999999;
                  limit_req zone=ok delay=-1;
                  limit_req_status 9999;
                  limit_conn conns 0;
                  proxy_pass http://127.0.0.1:9000;
                }
              }
            }
            """);
    assertEquals(1, r.config().getRateLimitZonesCount(), "only the zone nginx takes");
    assertEquals(0, route(r.config(), "root").getLimitReqCount());
    List<String> notTranslated = imports.lines(r, Kind.NOT_TRANSLATED);
    for (String line : notTranslated) {
      assertTrue(line.matches("nginx\\.conf:[0-9]+: .+"), line);
    }
    String all = notTranslated.toString();
    for (int line : new int[] {2, 4, 8, 9, 10}) {
      assertTrue(all.contains("nginx.conf:" + line + ":"), "line " + line + " in " + all);
    }
  }
}
