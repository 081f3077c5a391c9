package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigValidator;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The nginx configs of the seed documents (see src/test/resources/nginx/seeds/README.md) import
 * into configs that validate, with exactly these directives reported.
 */
class SeedImportTest {
  private static final Path SEEDS = Path.of("src", "test", "resources", "nginx", "seeds");

  /** What the SPA, API and WebSocket seed imports into. */
  private static final String SPA_API_WEBSOCKET =
      """
      listeners:
        - name: http
          port: 80
          keepalive_timeout: 1m5s
          compression:
            enabled: true
            min_length: 256
            types:
              - text/plain
              - text/css
              - application/json
              - application/x-javascript
              - text/xml
              - application/xml
              - application/xml+rss
              - text/javascript
              - application/vnd.ms-fontobject
              - application/x-font-ttf
              - font/opentype
              - image/svg+xml
              - image/x-icon
            proxied: true
      upstreams:
        - name: 192.168.1.173-10020
          endpoints:
            - address: 192.168.1.173:10020
      routes:
        - name: root
          match:
            path:
              prefix: /
          static:
            root: /usr/share/nginx/html
            index:
              - index.html
              - index.htm
            try_files:
              - $uri
              - $uri/
              - /index.html
              - =404
            default_type: application/octet-stream
        - name: api
          match:
            path:
              prefix: /api
          proxy:
            upstream: 192.168.1.173-10020
            rewrite:
              regex: ^/api/?(.*)
              replacement: /$1
            read_timeout: 5m
            location_rewrites:
              - prefix: http://192.168.1.173:10020/
                replacement: /
          request_headers:
            set:
              - name: Host
                value: $host
              - name: X-Real-IP
                value: $remote_addr
              - name: X-Forwarded-For
                value: $proxy_add_x_forwarded_for
        - name: capture
          match:
            path:
              prefix: /capture
          proxy:
            upstream: 192.168.1.173-10020
            location_rewrites:
              - prefix: http://192.168.1.173:10020/
                replacement: /
          request_headers:
            set:
              - name: Host
                value: 192.168.1.173:10020
      """;

  @Test
  void theSpaApiAndWebSocketSetup() throws Exception {
    Path root = SEEDS.resolve("000-spa-api-websocket");
    NginxImport.Result r =
        NginxImport.read(root.resolve("etc/nginx/nginx.conf"), Optional.of(root));

    assertEquals(List.of(), ConfigValidator.validate(r.config()));
    assertEquals(
        List.of(
            "etc/nginx/conf.d/default.conf:28: keepalive_timeout 0 -- Wharf sets "
                + "keepalive_timeout per listener, not per location"),
        lines(r, root, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), lines(r, root, Kind.CHECK));
    assertEquals(
        List.of(
            "etc/nginx/nginx.conf:3",
            "etc/nginx/nginx.conf:5",
            "etc/nginx/nginx.conf:10",
            "etc/nginx/nginx.conf:14",
            "etc/nginx/nginx.conf:21",
            "etc/nginx/nginx.conf:26",
            "etc/nginx/conf.d/default.conf:29",
            "etc/nginx/conf.d/default.conf:30",
            "etc/nginx/conf.d/default.conf:31"),
        where(lines(r, root, Kind.NOT_NEEDED)));
    assertEquals(SPA_API_WEBSOCKET, ConfigDocuments.toYaml(r.config()));
  }

  @Test
  void theTengineWebSocketSetup() throws Exception {
    Path root = SEEDS.resolve("001-tengine-websocket");
    NginxImport.Result r =
        NginxImport.read(root.resolve("home/apps/tengine/conf/nginx.conf"), Optional.of(root));

    assertEquals(List.of(), ConfigValidator.validate(r.config()));
    assertEquals(
        List.of(
            "home/apps/tengine/conf/nginx.conf:75: proxy_cache_path /dev/shm/cache "
                + "levels=2:2:2 keys_zone=cache_go:200... -- Wharf does not cache responses"),
        lines(r, root, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "home/apps/tengine/conf/nginx.conf:60: proxy_read_timeout 60 -- nginx "
                + "also closed idle WebSockets after it; Wharf closes them after "
                + "proxy.websocket.idle_timeout (default 1h)"),
        lines(r, root, Kind.CHECK));
    assertEquals(37, lines(r, root, Kind.NOT_NEEDED).size(), "proxy_redirect off is translated");
    assertEquals(
        """
        listeners:
          - name: http
            port: 80
            client_header_timeout: 5s
            client_body_timeout: 5s
            keepalive_timeout: 5s
            send_timeout: 5s
            max_request_header_size: 128k
            max_uri_length: 32k
            compression:
              enabled: true
              min_length: 1k
              types:
                - text/plain
                - application/x-javascript
                - text/css
                - application/xml
              level: 2
              proxied: false
            max_header_line_size: 32k
        upstreams:
          - name: test.com
            endpoints:
              - address: 192.168.1.5:9000
        routes:
          - name: websocket
            match:
              hosts:
                - test.com
              path:
                prefix_no_regex: /websocket
            proxy:
              upstream: test.com
              connect_timeout: 5s
              read_timeout: 1m
              send_timeout: 5s
            request_headers:
              set:
                - name: X-Real-IP
                  value: $remote_addr
                - name: Host
                  value: $host
                - name: X-Forwarded-For
                  value: $proxy_add_x_forwarded_for
            max_body_size: 80m
        """,
        ConfigDocuments.toYaml(r.config()));
  }

  @Test
  void theWebSocketArticlesExample() throws Exception {
    Path root = SEEDS.resolve("000-websocket-proxy");
    NginxImport.Result r = NginxImport.read(root.resolve("nginx.conf"), Optional.empty());

    assertEquals(List.of(), ConfigValidator.validate(r.config()));
    assertEquals(List.of(), lines(r, root, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), lines(r, root, Kind.CHECK));
    assertEquals(
        List.of("nginx.conf:2", "nginx.conf:15", "nginx.conf:16", "nginx.conf:17"),
        where(lines(r, root, Kind.NOT_NEEDED)));
    assertEquals(
        """
        listeners:
          - name: http-8020
            port: 8020
        upstreams:
          - name: websocket
            endpoints:
              - address: 192.168.100.10:8010
        routes:
          - name: root
            match:
              path:
                prefix: /
            proxy:
              upstream: websocket
              location_rewrites:
                - prefix: http://websocket/
                  replacement: /
            request_headers:
              set:
                - name: Host
                  value: websocket
        """,
        ConfigDocuments.toYaml(r.config()));
  }

  private static List<String> lines(NginxImport.Result r, Path root, Kind kind) {
    return new ImportReport(r.findings())
        .lines(kind).stream().map(l -> l.replace(root + "/", "")).toList();
  }

  /** {@code file:line} of each report line. */
  private static List<String> where(List<String> lines) {
    return lines.stream().map(l -> l.substring(0, l.indexOf(": "))).toList();
  }
}
