package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.LocationRewrite;
import dev.wharf.proto.config.v1.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The automatic 301, proxy_pass with variables and proxy_redirect, as import-nginx writes them. */
class LocationCornersImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  private Route only(String locations) {
    Config c = imports.of("server {\nlisten 80;\n" + locations + "\n}\n").config();
    assertEquals(1, c.getRoutesCount(), yaml(c));
    return c.getRoutes(0);
  }

  private static LocationRewrite prefix(String from, String to) {
    return LocationRewrite.newBuilder().setPrefix(from).setReplacement(to).build();
  }

  @Test
  void aProxiedLocationEndingInASlashRedirectsItsSlashlessPath() {
    assertTrue(only("location /static/ { proxy_pass http://b; }").getSlashRedirect());
    assertTrue(only("location ^~ /static/ { proxy_pass http://b; }").getSlashRedirect());
    assertTrue(only("location = /static/ { proxy_pass http://b; }").getSlashRedirect());
  }

  @Test
  void otherLocationsDoNot() {
    assertFalse(only("location /static { proxy_pass http://b; }").getSlashRedirect());
    assertFalse(only("location / { proxy_pass http://b; }").getSlashRedirect());
    assertFalse(only("location ~ ^/static/ { proxy_pass http://b; }").getSlashRedirect());
    assertFalse(only("location /static/ { root /srv; }").getSlashRedirect(), "files: no");
  }

  @Test
  void regexCapturesInTheUriPartMakeTheWholeTarget() {
    Route r = only("location ~ ^/users/(\\d+)$ { proxy_pass http://up/u/$1$is_args$args; }");

    assertEquals("up", r.getProxy().getUpstream());
    assertEquals("/u/$1$is_args$args", r.getProxy().getUri());
    assertFalse(r.getProxy().hasRewrite());
    assertEquals(0, r.getProxy().getLocationRewritesCount(), "nginx has no default here");
    assertEquals(503 == r.getRespond().getStatus(), false, "not failed closed");
  }

  @Test
  void aCaptureTheRegexDoesNotHaveIsNotTranslatedAndFailsClosed() {
    NginxImport.Result r =
        imports.of(
            "server {\nlisten 80;\nlocation ~ ^/u/(\\d+)$ { proxy_pass http://up/u/$2; }\n}\n");

    assertEquals(503, r.config().getRoutes(0).getRespond().getStatus());
    assertTrue(
        imports.lines(r, Kind.NOT_TRANSLATED).toString().contains("regex group"),
        imports.lines(r, Kind.NOT_TRANSLATED).toString());
  }

  @Test
  void aHostSetToAFixedNameIsThatUpstream() {
    NginxImport.Result r =
        imports.of(
            """
            upstream app { server 10.0.0.1:8080; }
            server {
              listen 80;
              set $backend app;
              location /dyn/ { proxy_pass http://$backend; }
            }
            """);
    Route route = r.config().getRoutes(0);

    assertEquals("app", route.getProxy().getUpstream());
    assertEquals(0, route.getProxy().getLocationRewritesCount(), "variables: no default");
    assertTrue(route.getSlashRedirect());
    assertTrue(
        imports.lines(r, Kind.CHECK).toString().contains("set $backend app"),
        imports.lines(r, Kind.CHECK).toString());
  }

  @Test
  void aHostOnlyARequestDecidesIsNotTranslatedAndFailsClosed() {
    NginxImport.Result r =
        imports.of("server {\nlisten 80;\nlocation / { proxy_pass http://$http_x_backend; }\n}\n");

    assertEquals(503, r.config().getRoutes(0).getRespond().getStatus());
    assertTrue(
        imports.lines(r, Kind.NOT_TRANSLATED).toString().contains("only a request decides"),
        imports.lines(r, Kind.NOT_TRANSLATED).toString());
  }

  @Test
  void nginxsImplicitDefaultIsWrittenOut() {
    assertEquals(
        List.of(prefix("http://b/v1/", "/api/")),
        only("location /api/ { proxy_pass http://b/v1/; }").getProxy().getLocationRewritesList());
    assertEquals(
        List.of(prefix("http://b/", "/")),
        only("location /api/ { proxy_pass http://b; }").getProxy().getLocationRewritesList());
    assertEquals(
        List.of(prefix("http://10.0.0.5:8080/", "/")),
        only("location ~ \\.php$ { proxy_pass http://10.0.0.5:8080; }")
            .getProxy()
            .getLocationRewritesList());
  }

  @Test
  void offWritesNoRule() {
    assertEquals(
        0,
        only("location / { proxy_pass http://b; proxy_redirect off; }")
            .getProxy()
            .getLocationRewritesCount());
  }

  @Test
  void explicitPairsAndRegexesAreRulesInOrderAndReplaceTheDefault() {
    Route r =
        only(
            """
            location /a/ {
              proxy_pass http://b/;
              proxy_redirect http://x.test/ /a/;
              proxy_redirect ~*^https?://old\\.test:(\\d+)/ /p$1/;
              proxy_redirect default;
            }
            """);

    assertEquals(
        List.of(
            prefix("http://x.test/", "/a/"),
            LocationRewrite.newBuilder()
                .setRegex("^https?://old\\.test:(\\d+)/")
                .setCaseInsensitive(true)
                .setReplacement("/p$1/")
                .build(),
            prefix("http://b/", "/a/")),
        r.getProxy().getLocationRewritesList());
  }

  @Test
  void aServerLevelProxyRedirectIsInheritedByItsLocations() {
    Config c =
        imports
            .of(
                """
                server {
                  listen 80;
                  proxy_redirect http://in.test/ /;
                  location /a/ { proxy_pass http://b; }
                  location /c/ { proxy_pass http://b; proxy_redirect off; }
                }
                """)
            .config();

    assertEquals(
        List.of(prefix("http://in.test/", "/")),
        c.getRoutes(0).getProxy().getLocationRewritesList());
    assertEquals(0, c.getRoutes(1).getProxy().getLocationRewritesCount());
  }

  @Test
  void aFromWithVariablesOrABadRegexIsReportedAndLeavesTheOthers() {
    NginxImport.Result r =
        imports.of(
            """
            server {
              listen 80;
              location / {
                proxy_pass http://b;
                proxy_redirect http://$host/ /;
                proxy_redirect ~^/(?=x) /;
                proxy_redirect http://ok.test/ /;
              }
            }
            """);

    assertEquals(
        List.of(prefix("http://ok.test/", "/")),
        r.config().getRoutes(0).getProxy().getLocationRewritesList());
    assertEquals(
        2,
        imports.lines(r, Kind.NOT_TRANSLATED).size(),
        imports.lines(r, Kind.NOT_TRANSLATED).toString());
  }
}
