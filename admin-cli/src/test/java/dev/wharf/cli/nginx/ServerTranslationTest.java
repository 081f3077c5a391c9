package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server: listeners, names, the default server, and what runs before a location is chosen. */
class ServerTranslationTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void listenFormsBecomeListenersSharedByTheServersOnThem() {
    Config c =
        imports
            .of(
                """
        http {
            server { listen 80; server_name a.example; location / { return 200 a; } }
            server { listen 127.0.0.1:8080; listen 80; server_name b.example;
                     location / { return 200 b; } }
            server { listen [::1]:9000; location / { return 200 c; } }
        }
        """)
            .config();

    assertEquals(
        """
        listeners:
          - name: http
            port: 80
          - name: http-8080-127.0.0.1
            address: 127.0.0.1
            port: 8080
          - name: http-9000-__1
            address: ::1
            port: 9000
        """,
        yaml(c.toBuilder().clearRoutes().build()));
    assertEquals(
        List.of("http-8080-127.0.0.1", "http"), route(c, "b.example-root").getListenersList());
  }

  @Test
  void ipv4AndIpv6OnTheSamePortAreOneListenerOnIpv4AndThatIsReported() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            listen [::]:80;
            location / { return 204; }
        }
        """);

    assertEquals(1, r.config().getListenersCount());
    assertEquals("", r.config().getListeners(0).getAddress());
    assertEquals(
        List.of(
            "nginx.conf:3: listen [::]:80 -- served by listener 'http' on "
                + "0.0.0.0:80, IPv4 only: Java binds :: to IPv4 and IPv6 together, so both cannot be "
                + "listeners; set its address to :: to serve IPv6 as well"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void anIpv6OnlyListenBindsTheIpv6Wildcard() {
    Config c = imports.of("server { listen [::]:8080; location / { return 204; } }").config();

    assertEquals("::", c.getListeners(0).getAddress());
  }

  @Test
  void serverNamesAreTheRoutesHostsAndTheCatchAllNameMeansNone() {
    Config c =
        imports
            .of(
                """
        http {
            server { listen 80; server_name Example.COM *.example.com; location / { return 204; } }
            server { listen 80; server_name _; location / { return 404; } }
        }
        """)
            .config();

    assertEquals(
        List.of("example.com", "*.example.com"),
        route(c, "example.com-root").getMatch().getHostsList());
    assertEquals(List.of(), route(c, "default-root").getMatch().getHostsList());
  }

  @Test
  void theDefaultServerComesFirstSoUnknownHostsReachItAsInNginx() {
    Config c =
        imports
            .of(
                """
        http {
            server { listen 80; server_name a.example; location / { return 200 a; } }
            server { listen 80 default_server; server_name b.example; location / { return 200 b; } }
        }
        """)
            .config();

    assertEquals(
        List.of("b.example-root", "a.example-root"),
        c.getRoutesList().stream().map(Route::getName).toList());
  }

  @Test
  void aServerLevelReturnAnswersEveryRequestAndItsLocationsAreNotNeeded() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            server_name example.com;
            return 301 https://www.example.com$request_uri;
            location /never { proxy_pass http://b; }
        }
        """);

    assertEquals(
        """
        name: redirect
        match:
          hosts:
            - example.com
          path:
            prefix: /
        redirect:
          status: 301
          location: https://www.example.com$request_uri
        """,
        yaml(r.config().getRoutes(0)));
    assertEquals(
        List.of(
            "nginx.conf:5: location /never {...} -- the server's return (line 4) "
                + "answers every request before a location is chosen (with the 1 directive inside)"),
        imports.lines(r, Kind.NOT_NEEDED));
  }

  @Test
  void aServerLevelRewriteThatRedirectsBecomesARegexRouteAheadOfTheLocations() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            rewrite ^/old/(.*)$ /new/$1 permanent;
            rewrite ^/x$ /y last;
            location / { root /srv; }
        }
        """);

    assertEquals(
        """
        name: rewrite-old
        match:
          path:
            regex: ^/old/(.*)$
        redirect:
          status: 301
          location: /new/$1$is_args$args
        """,
        yaml(r.config().getRoutes(0)));
    assertEquals(
        List.of(
            "nginx.conf:3: rewrite ^/old/(.*)$ /new/$1 permanent -- a regex route "
                + "now: nginx applies a server-level rewrite before choosing a location, Wharf's exact "
                + "and ^~ routes win over a regex route"),
        imports.lines(r, Kind.CHECK));
    assertEquals(
        List.of(
            "nginx.conf:4: rewrite ^/x$ /y last -- a server-level rewrite changes "
                + "the path before a location is chosen; Wharf routes cannot"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void clientTimeoutsAndHeaderBuffersAreTheListenersFromItsFirstServer() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            client_header_timeout 5;
            keepalive_timeout 65 60;
            large_client_header_buffers 4 16k;
            server { listen 80; server_name a; send_timeout 10s; location / { return 204; } }
            server { listen 80; server_name b; send_timeout 20s; location / { return 204; } }
        }
        """);

    assertEquals(
        """
        name: http
        port: 80
        client_header_timeout: 5s
        keepalive_timeout: 1m5s
        send_timeout: 10s
        max_request_header_size: 64k
        max_uri_length: 16k
        max_header_line_size: 16k
        """,
        yaml(r.config().getListeners(0)));
    assertEquals(
        List.of(
            "nginx.conf:6: send_timeout 20s -- listener 'http' takes send_timeout "
                + "from the first server on it (nginx.conf:5)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:3: keepalive_timeout 65 60 -- Wharf sends no Keep-Alive: "
                + "timeout= header; the second value is not used"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void underscoresInHeadersOnIsKeptByTheListener() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            underscores_in_headers on;
            server { listen 80; location / { return 204; } }
        }
        """);

    assertEquals(
        """
        name: http
        port: 80
        underscores_in_headers: true
        """,
        yaml(r.config().getListeners(0)));
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void aServerWithoutLocationsServesItsRoot() {
    Config c = imports.of("server { listen 8080; root /srv/site; index home.html; }").config();

    assertEquals(
        """
        name: root
        match:
          path:
            prefix: /
        static:
          root: /srv/site
          index:
            - home.html
          default_type: text/plain
        """,
        yaml(c.getRoutes(0)));
  }

  @Test
  void aSiteFileWithoutHttpIsReadAsTheInsideOfOne() {
    Config c =
        imports
            .of(
                """
        upstream app { server 10.0.0.1:9000; }
        server { listen 80; location / { proxy_pass http://app; } }
        """)
            .config();

    assertEquals("app", c.getRoutes(0).getProxy().getUpstream());
  }

  @Test
  void aCatchAllServerUsingServerNameKeepsMatchingEveryHostAndSaysItsServerNameIsEmpty() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            limit_req_zone $server_name zone=per_server:1m rate=10r/s;
            server { listen 80; server_name a.example; location / { return 204; } }
            server {
                listen 80 default_server;
                server_name _;
                location / {
                    limit_req zone=per_server;
                    add_header X-Server $server_name;
                    proxy_pass http://127.0.0.1:8081;
                }
            }
        }
        """);

    // As in nginx, `_` matches no host: the default server's routes take every other host.
    assertEquals(List.of(), route(r.config(), "default-root").getMatch().getHostsList());
    assertEquals(
        List.of(
            "nginx.conf:6: server_name _ -- nginx's $server_name here is \"_\", the server's first"
                + " name, which matches no host and is not kept as one: Wharf's $server_name is"
                + " the route's first host, \"\", where it is used (a header, a log line, a limit"
                + " key; an empty key limits nothing); write the name itself there instead"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void aCatchAllServerThatNeverUsesServerNameIsTranslatedWithoutANote() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            server { listen 80; server_name _; location / { return 204; } }
            server { listen 80; server_name a.example; location / { add_header X-S $server_name; return 204; } }
        }
        """);
    assertEquals(List.of(), imports.lines(r, Kind.CHECK));
  }
}
