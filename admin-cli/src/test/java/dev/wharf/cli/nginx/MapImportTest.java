package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void aMapBecomesAVariableThatHeaderRulesAndRewritesUse() {
    NginxImport.Result r =
        imports.of(
            """
            http {
              map $http_x_tier $tier {
                default basic;
                volatile;
                gold premium;
                ~*^plat(\\d+)$ platinum-$1;
                \\default literal;
              }
              map $host $site {
                hostnames;
                *.example.com wild;
                www.example.* prefixed;
                default "$tier-site";
              }
              upstream app { server 127.0.0.1:9000; }
              server {
                listen 8080;
                location / {
                  proxy_pass http://app;
                  proxy_set_header X-Tier $tier;
                  add_header X-Site $site always;
                  rewrite ^/(.*)$ /$tier/$1 break;
                }
              }
            }
            """);
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    Config c = r.config();
    assertEquals(
        """
        variable: tier
        source: $http_x_tier
        entries:
          - key: gold
            value: premium
          - key: ~*^plat(\\d+)$
            value: platinum-$1
          - key: default
            value: literal
        default_value: basic
        """,
        yaml(c.getMaps(0)));
    assertEquals(
        """
        variable: site
        source: $host
        entries:
          - key: '*.example.com'
            value: wild
          - key: www.example.*
            value: prefixed
        default_value: $tier-site
        hostnames: true
        """,
        yaml(c.getMaps(1)));
    assertEquals("$tier", route(c, "root").getRequestHeaders().getSet(0).getValue());
    assertEquals("$site", route(c, "root").getResponseHeaders().getAdd(0).getValue());
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void aMapWharfCannotTranslateLeavesItsVariableUnknownToItsUsers() {
    NginxImport.Result r =
        imports.of(
            """
            http {
              map $geoip_country $cc { default xx; }
              map $uri $bad { ~^(a)(?=b) x; }
              server {
                listen 8080;
                location / { return 200 "$cc"; }
              }
            }
            """);
    List<String> lines = imports.lines(r, Kind.NOT_TRANSLATED);
    assertEquals(3, lines.size(), lines.toString());
    assertEquals(
        "nginx.conf:2: map $geoip_country $cc {...} -- Wharf has no variable $geoip_country; $cc"
            + " has no value in Wharf (with the 1 directive inside)",
        lines.get(0));
    assertEquals(true, lines.get(1).startsWith("nginx.conf:3: map $uri $bad {...} -- line 3: "));
    assertEquals(true, lines.get(2).contains("Wharf has no variable $cc"), lines.get(2));
    assertEquals(0, r.config().getMapsCount());
  }
}
