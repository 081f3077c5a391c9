package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gzip as compression, log_format and access_log as a listener's access log. */
class CompressionAndLogsTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void gzipEverywhereIsTheListenersAndProxiedResponsesStayUncompressedAsInNginx() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            gzip on;
            gzip_types text/css application/json;
            gzip_min_length 1k;
            gzip_comp_level 5;
            gzip_vary on;
            server {
                listen 80;
                location / { proxy_pass http://b; }
                location /s { root /srv; }
            }
        }
        """);

    assertEquals(
        """
        enabled: true
        min_length: 1k
        types:
          - text/css
          - application/json
        level: 5
        proxied: false
        """,
        yaml(r.config().getListeners(0).getCompression()));
    assertFalse(r.config().getRoutes(0).hasCompression());
    assertEquals(
        List.of(
            "nginx.conf:6: gzip_vary on -- Wharf always sends Vary: "
                + "Accept-Encoding with compressed responses"),
        imports.lines(r, Kind.NOT_NEEDED));
  }

  @Test
  void routesWithNothingToCompressDoNotKeepCompressionOffTheListener() {
    Config c =
        imports
            .of(
                """
        server {
            listen 80;
            gzip on;
            location / { proxy_pass http://b; }
            location /old { gzip off; return 301 /; }
            location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }
        }
        """)
            .config();

    assertEquals("enabled: true\nproxied: false\n", yaml(c.getListeners(0).getCompression()));
    assertFalse(route(c, "root").hasCompression());
  }

  @Test
  void compressionThatDiffersBetweenLocationsIsEachRoutes() {
    Config c =
        imports
            .of(
                """
        server {
            listen 80;
            gzip on;
            gzip_proxied any;
            location / { proxy_pass http://b; }
            location /raw { gzip off; proxy_pass http://b; }
        }
        """)
            .config();

    assertFalse(c.getListeners(0).hasCompression());
    assertEquals("enabled: true\nproxied: true\n", yaml(route(c, "root").getCompression()));
    assertFalse(route(c, "raw").hasCompression());
  }

  @Test
  void gzipProxiedConditionsAreNotTranslatedAndCompressNothingProxied() {
    NginxImport.Result r =
        imports.of(
            """
        server { listen 80; gzip on; gzip_proxied expired no-cache;
                 location / { proxy_pass http://b; } }
        """);

    assertEquals(false, r.config().getListeners(0).getCompression().getProxied());
    assertEquals(
        List.of(
            "nginx.conf:1: gzip_proxied expired no-cache -- nginx compresses "
                + "proxied responses only under these conditions; Wharf compresses all proxied "
                + "responses or none, and this compresses none"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void anAccessLogWithANamedFormatIsTheListenersInTextEncoding() {
    Config c =
        imports
            .of(
                """
        http {
            log_format timing '$remote_addr "$request" $status '
                              '$request_time $upstream_response_time';
            access_log /var/log/nginx/access.log timing buffer=32k;
            server { listen 80; location / { return 204; } }
        }
        """)
            .config();

    assertEquals(
        """
        path: /var/log/nginx/access.log
        encoding: text
        format: $remote_addr "$request" $status $request_time $upstream_response_time
        """,
        yaml(c.getListeners(0).getAccessLog()));
  }

  @Test
  void anAccessLogWithoutAFormatIsWrittenInCombinedSpelledOut() {
    Config c =
        imports
            .of(
                """
        server { listen 80; access_log logs/access.log; location / { return 204; } }
        """)
            .config();

    assertEquals(AccessLogs.COMBINED, c.getListeners(0).getAccessLog().getFormat());
  }

  @Test
  void aFormatWithAVariableWharfDoesNotHaveIsReportedAndAnUnusedFormatIsNotNeeded() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            log_format gz '$remote_addr $gzip_ratio';
            log_format unused '$remote_addr';
            access_log /var/log/a.log gz;
            server { listen 80; location / { return 204; } }
        }
        """);

    assertFalse(r.config().getListeners(0).hasAccessLog());
    assertEquals(
        List.of(
            "nginx.conf:4: access_log /var/log/a.log gz -- log_format gz: Wharf "
                + "has no variable $gzip_ratio"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:2: log_format gz '$remote_addr $gzip_ratio' -- no "
                + "translated access_log uses it",
            "nginx.conf:3: log_format unused $remote_addr -- no translated access_log uses it"),
        imports.lines(r, Kind.NOT_NEEDED));
  }
}
