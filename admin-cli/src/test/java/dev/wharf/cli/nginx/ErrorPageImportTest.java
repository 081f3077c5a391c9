package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.ErrorPage;
import dev.wharf.proto.config.v1.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** error_page, proxy_intercept_errors and recursive_error_pages as import-nginx writes them. */
class ErrorPageImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  private static ErrorPage page(String target, int status, boolean own, Integer... codes) {
    return ErrorPage.newBuilder()
        .addAllCodes(List.of(codes))
        .setTarget(target)
        .setStatus(status)
        .setPageStatus(own)
        .build();
  }

  private static Route route(Config c, String path) {
    return c.getRoutesList().stream()
        .filter(r -> r.getMatch().getPath().getPrefix().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError(path + " in " + yaml(c)));
  }

  @Test
  void serverPagesAreInheritedByLocationsWithoutTheirOwnAndReplacedByOwnOnes() {
    NginxImport.Result r =
        imports.of(
            """
            http {
              error_page 500 502 503 504 /50x.html;
              server {
                listen 80;
                root /srv/www;
                error_page 404 /index.html;
                location / { }
                location /api/ {
                  proxy_pass http://127.0.0.1:9000;
                  proxy_intercept_errors on;
                }
                location /app/ { error_page 404 =200 /app/index.html; }
                location /old/ { error_page 404 =301 http://example.test/; }
                location /own/ { error_page 403 404 = /index.html; }
              }
            }
            """);
    Config c = r.config();
    List<ErrorPage> server = List.of(page("/index.html", 0, false, 404));
    assertEquals(server, route(c, "/").getErrorPagesList());
    assertEquals(server, route(c, "/api/").getErrorPagesList());
    assertTrue(route(c, "/api/").getInterceptErrors());
    assertFalse(route(c, "/").getInterceptErrors());
    assertEquals(
        List.of(page("/app/index.html", 200, false, 404)), route(c, "/app/").getErrorPagesList());
    assertEquals(
        List.of(page("http://example.test/", 301, false, 404)),
        route(c, "/old/").getErrorPagesList());
    assertEquals(
        List.of(page("/index.html", 0, true, 403, 404)), route(c, "/own/").getErrorPagesList());
    String notTranslated = imports.lines(r, Kind.NOT_TRANSLATED).toString();
    assertFalse(notTranslated.contains("error_page"), notTranslated);
    assertFalse(notTranslated.contains("proxy_intercept_errors"), notTranslated);
  }

  @Test
  void theHttpLevelPagesReachEveryServerThatHasNone() {
    Config c =
        imports
            .of(
                """
            http {
              error_page 502 /50x.html;
              server { listen 80; location / { proxy_pass http://127.0.0.1:9000; } }
            }
            """)
            .config();
    assertEquals(List.of(page("/50x.html", 0, false, 502)), route(c, "/").getErrorPagesList());
  }

  @Test
  void aServerLevelReturnGetsTheServersPages() {
    Config c = imports.of("server { listen 80; error_page 404 /gone.html; return 404; }").config();
    assertEquals(List.of(page("/gone.html", 0, false, 404)), route(c, "/").getErrorPagesList());
  }

  @Test
  void aUrlWithANonRedirectStatusIsA302AsNginxSends() {
    Config c =
        imports
            .of(
                "server { listen 80; location / { root /s; error_page 404 =200 https://x.test/; } }")
            .config();
    assertEquals(
        List.of(page("https://x.test/", 302, false, 404)), route(c, "/").getErrorPagesList());
  }

  @Test
  void namedLocationsVariablesAndBadCodesAreNotTranslatedWithTheirReason() {
    NginxImport.Result r =
        imports.of(
            """
            server {
              listen 80;
              location / {
                root /srv;
                error_page 404 @fallback;
                error_page 500 /$uri.html;
                error_page 200 /x.html;
                error_page 502 /ok.html;
              }
              location @fallback { proxy_pass http://127.0.0.1:9000; }
            }
            """);
    assertEquals(
        List.of(page("/ok.html", 0, false, 502)), route(r.config(), "/").getErrorPagesList());
    String notTranslated = imports.lines(r, Kind.NOT_TRANSLATED).toString();
    assertTrue(notTranslated.contains("named locations are not supported"), notTranslated);
    assertTrue(notTranslated.contains("variables are not supported"), notTranslated);
    assertTrue(notTranslated.contains("'200' is not a status from 300 to 599"), notTranslated);
  }

  @Test
  void recursiveErrorPagesOffIsWhatWharfDoesOnIsNot() {
    NginxImport.Result off =
        imports.of("server { listen 80; recursive_error_pages off; location / { root /s; } }");
    assertTrue(
        imports.lines(off, Kind.NOT_NEEDED).toString().contains("recursive_error_pages"),
        imports.lines(off, Kind.NOT_NEEDED).toString());
    NginxImport.Result on =
        imports.of("server { listen 80; recursive_error_pages on; location / { root /s; } }");
    assertTrue(
        imports.lines(on, Kind.NOT_TRANSLATED).toString().contains("one error page at most"),
        imports.lines(on, Kind.NOT_TRANSLATED).toString());
  }
}
