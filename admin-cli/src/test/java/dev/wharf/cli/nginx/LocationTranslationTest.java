package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Satisfy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** location: its match, what answers (return, rewrite, proxy, files), and fail-closed routes. */
class LocationTranslationTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void everyMatchKindKeepsItsMeaningAndRegexesKeepTheirOrder() {
    Config c =
        server(
            """
        location = / { return 204; }
        location / { return 200 all; }
        location ^~ /static/ { return 200 static; }
        location ~ \\.php$ { return 403; }
        location ~* \\.(png|jpg)$ { return 200 image; }
        location =/exact { return 200 attached; }
        """);

    assertEquals(
        List.of(
            "exact-root: {exact: /}",
            "root: {prefix: /}",
            "static: {prefix_no_regex: /static/}",
            "regex-php: {regex: \\.php$}",
            "regex-png-jpg: {regex_case_insensitive: \\.(png|jpg)$}",
            "exact-exact: {exact: /exact}"),
        c.getRoutesList().stream().map(r -> r.getName() + ": " + flow(r)).toList());
  }

  @Test
  void returnBecomesARespondOrRedirectAndTextGetsTheDefaultType() {
    Config c =
        server(
            """
        default_type application/json;
        location /health { return 200 '{"ok":true}'; }
        location /old { return 301 https://$host/new$is_args$args; }
        location /moved { return https://example.com/; }
        location ~ ^/user/(\\d+)$ { return 302 /users/$1; }
        """);

    assertEquals(
        """
        status: 200
        body: '{"ok":true}'
        content_type: application/json
        """,
        yaml(route(c, "health").getRespond()));
    assertEquals(
        """
        status: 301
        location: https://$host/new$is_args$args
        """,
        yaml(route(c, "old").getRedirect()));
    assertEquals(302, route(c, "moved").getRedirect().getStatus());
    assertEquals("/users/$1", route(c, "regex-user-d").getRedirect().getLocation());
  }

  @Test
  void aRewriteThatRedirectsEveryPathOfTheLocationIsARedirect() {
    Config c =
        server(
            """
        location /blog/ { rewrite ^(.*)$ https://blog.example.com$1 permanent; }
        location ~ ^/docs/(.*)$ { rewrite ^/docs/(.*)$ /manual/$1? redirect; }
        location = /a { rewrite ^/(a)$ /b/$1 permanent; }
        """);

    assertEquals(
        """
        status: 301
        location: https://blog.example.com$uri$is_args$args
        """,
        yaml(route(c, "blog").getRedirect()));
    assertEquals(
        """
        status: 302
        location: /manual/$1
        """,
        yaml(route(c, "regex-docs").getRedirect()));
    assertEquals("/b/a$is_args$args", route(c, "exact-a").getRedirect().getLocation());
  }

  @Test
  void aRewriteThatHandsTheRequestToAnotherLocationIsNotTranslatedAndAnswers503() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location / { root /srv; }
            location /old { rewrite ^/old/(.*)$ /new/$1 last; }
            location /some { rewrite ^/some/x$ /y permanent; }
        }
        """);

    assertEquals(503, route(r.config(), "old").getRespond().getStatus());
    assertEquals(503, route(r.config(), "some").getRespond().getStatus());
    assertEquals(
        List.of(
            "nginx.conf:4: location /old {...} -- rewrite ^/old/(.*)$ /new/$1 last (line 4): nginx "
                + "matches the new path against the locations again; a Wharf route cannot hand a "
                + "request to another; the route answers 503 until it is translated by hand (with "
                + "the 1 directive inside)",
            "nginx.conf:5: location /some {...} -- rewrite ^/some/x$ /y permanent (line 5): it "
                + "redirects only the paths its regex matches, not every path of the location; "
                + "write it as a regex route of its own; the route answers 503 until it is "
                + "translated by hand (with the 1 directive inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void filesAreServedWithRootOrAliasIndexTryFilesAndNginxsDefaultType() {
    Config c =
        server(
            """
        root /srv/www;
        location / {
            index index.html index.htm;
            try_files $uri $uri/ /index.html =404;
            gzip_static on;
        }
        location /img/ {
            alias /data/images/;
            default_type image/png;
            types { image/avif avif; }
        }
        """);

    assertEquals(
        """
        root: /srv/www
        index:
          - index.html
          - index.htm
        try_files:
          - $uri
          - $uri/
          - /index.html
          - =404
        default_type: text/plain
        precompressed: true
        """,
        yaml(route(c, "root").getStatic()));
    assertEquals(
        """
        alias: /data/images/
        default_type: image/png
        mime_types:
          avif: image/avif
        """,
        yaml(route(c, "img").getStatic()));
  }

  @Test
  void aLocationThatServesFilesWithoutARootAnswers503() {
    NginxImport.Result r = imports.of("server { listen 80; location /x { index a.html; } }");

    assertEquals(503, route(r.config(), "x").getRespond().getStatus());
    assertEquals(
        List.of(
            "nginx.conf:1: location /x {...} -- no root: nginx would serve files "
                + "from 'html' below its prefix; set root; the route answers 503 until it is translated "
                + "by hand (with the 1 directive inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void aHandlerWharfDoesNotHaveFailsClosedSoItsPathsCannotFallThroughToFiles() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            root /srv/php;
            location / { try_files $uri $uri/ =404; }
            location ~ \\.php$ {
                fastcgi_pass unix:/run/php-fpm.sock;
                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            }
        }
        """);

    assertEquals(
        """
        name: regex-php
        match:
          path:
            regex: \\.php$
        respond:
          status: 503
        """,
        yaml(route(r.config(), "regex-php")));
    assertEquals(
        List.of(
            "nginx.conf:5: location ~ \\.php$ {...} -- fastcgi_pass "
                + "unix:/run/php-fpm.sock (line 6): Wharf proxies HTTP/1.1 and WebSocket to endpoints, "
                + "not FastCGI, uwsgi, SCGI, gRPC or memcached; the route answers 503 until it is "
                + "translated by hand (with the 2 directives inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void accessControlIsTranslatedAndWhatWharfCannotDoAnswers403() throws Exception {
    Path good = dir.resolve("good.htpasswd");
    Files.writeString(good, "ann:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    Path plain = dir.resolve("plain.htpasswd");
    Files.writeString(plain, "ann:secret\n");
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /admin {
                auth_basic "Admins";
                auth_basic_user_file %s;
                proxy_pass http://admin;
            }
            location /internal { allow 10.0.0.0/8; allow 2001:db8::/32; deny all; proxy_pass http://b; }
            location /.git { deny all; }
            location /plain { auth_basic "P"; auth_basic_user_file %s; proxy_pass http://b; }
            location /sso { auth_request /auth; proxy_pass http://b; }
            location /private { internal; root /srv; }
        }
        """
                .formatted(good, plain));

    Route admin = route(r.config(), "admin");
    assertEquals("admin", admin.getProxy().getUpstream());
    assertEquals("Admins", admin.getBasicAuth().getRealm());
    assertEquals(good.toString(), admin.getBasicAuth().getUserFile());
    assertEquals(
        List.of("true 10.0.0.0/8", "true 2001:db8::/32", "false all"),
        route(r.config(), "internal").getAccess().getRulesList().stream()
            .map(x -> x.getAllow() + " " + x.getSource())
            .toList());
    assertEquals(403, route(r.config(), "git").getRespond().getStatus());
    assertEquals(403, route(r.config(), "plain").getRespond().getStatus());
    assertEquals(403, route(r.config(), "sso").getRespond().getStatus());
    assertEquals(404, route(r.config(), "private").getRespond().getStatus());
    List<String> notTranslated = imports.lines(r, Kind.NOT_TRANSLATED);
    assertEquals(2, notTranslated.size(), notTranslated.toString());
    assertTrue(
        notTranslated.get(0).contains("line 1 (user 'ann'): plain-text password refused"),
        notTranslated.get(0));
    assertTrue(notTranslated.get(1).contains("Wharf has no auth_request"), notTranslated.get(1));
  }

  @Test
  void accessControlIsInheritedAsNginxInheritsIt() throws Exception {
    Path users = dir.resolve("htpasswd");
    Files.writeString(users, "ann:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            auth_basic "Staff";
            auth_basic_user_file %s;
            allow 10.0.0.0/8;
            deny all;
            satisfy any;
            location / { proxy_pass http://b; }
            location /public { auth_basic off; allow all; proxy_pass http://b; }
        }
        """
                .formatted(users));

    Route root = route(r.config(), "root");
    assertTrue(root.getBasicAuth().getEnabled());
    assertEquals("Staff", root.getBasicAuth().getRealm());
    assertEquals(Satisfy.ANY, root.getSatisfy());
    assertEquals(2, root.getAccess().getRulesCount());
    Route open = route(r.config(), "public");
    assertFalse(open.getBasicAuth().getEnabled());
    // an inner level with its own rules does not inherit the outer list
    assertEquals(
        List.of("true all"),
        open.getAccess().getRulesList().stream()
            .map(x -> x.getAllow() + " " + x.getSource())
            .toList());
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void aNestedPrefixLocationIsFlattenedAndANestedRegexIsNot() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /app/ {
                proxy_pass http://app;
                location /app/admin/ { proxy_pass http://admin; }
                location ~ \\.js$ { root /srv; }
            }
        }
        """);

    assertEquals(
        List.of("app", "app-admin"),
        r.config().getRoutesList().stream().map(Route::getName).toList());
    assertEquals(
        List.of(
            "nginx.conf:5: location /app/admin/ {...} -- nested in 'location "
                + "/app/': Wharf routes are flat, so it is matched on its own, as if written at the top"),
        imports.lines(r, Kind.CHECK));
    assertEquals(
        List.of(
            "nginx.conf:6: location ~ \\.js$ {...} -- a regex location nested in "
                + "'location /app/' applies only below it in nginx; Wharf routes are flat, so write one "
                + "regex that includes the prefix; no route is made for it (with the 1 directive "
                + "inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void proxySetHeaderIsInheritedOnlyByLocationsWithoutOneOfTheirOwn() {
    Config c =
        server(
            """
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        location /inherits { proxy_pass http://b; }
        location /own {
            proxy_pass http://b;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }
        """);

    assertEquals(
        """
        set:
          - name: Host
            value: $host
          - name: X-Real-IP
            value: $remote_addr
        """,
        yaml(route(c, "inherits").getRequestHeaders()));
    assertEquals(
        """
        set:
          - name: X-Forwarded-For
            value: $proxy_add_x_forwarded_for
          - name: Host
            value: b
        """,
        yaml(route(c, "own").getRequestHeaders()),
        "its own list replaces the server's Host rule, so nginx's $proxy_host applies");
  }

  @Test
  void theWebSocketHeadersAreNotNeededAndSaySo() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /ws {
                proxy_pass http://b;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection "upgrade";
                proxy_set_header X-Id $request_id;
            }
        }
        """);

    assertEquals(
        "set:\n  - name: X-Id\n    value: $request_id\n  - name: Host\n    value: b\n",
        yaml(route(r.config(), "ws").getRequestHeaders()));
    String websocket =
        "Wharf relays WebSocket upgrades itself; the Upgrade and Connection "
            + "headers (and the map that feeds them) are not needed";
    assertEquals(
        List.of(
            "nginx.conf:5: proxy_http_version 1.1 -- Wharf always speaks HTTP/1.1 to endpoints",
            "nginx.conf:6: proxy_set_header Upgrade $http_upgrade -- " + websocket,
            "nginx.conf:7: proxy_set_header Connection upgrade -- " + websocket),
        imports.lines(r, Kind.NOT_NEEDED));
  }

  @Test
  void addHeaderAndHideHeaderAreResponseRulesAndBodyLimitsAreInherited() {
    Config c =
        server(
            """
        client_max_body_size 10m;
        add_header X-Frame-Options DENY always;
        add_header X-Server s1;
        location / {
            proxy_pass http://b;
            proxy_hide_header X-Powered-By;
        }
        location /upload {
            client_max_body_size 0;
            proxy_pass http://b;
            add_header X-Upload up;
        }
        """);

    Route root = route(c, "root");
    assertEquals(
        """
        add:
          - name: X-Frame-Options
            value: DENY
          - name: X-Server
            value: s1
            always: false
        remove:
          - X-Powered-By
        """,
        yaml(root.getResponseHeaders()));
    // a level with its own add_header inherits none of the outer ones, as in nginx
    assertEquals(
        """
        add:
          - name: X-Upload
            value: up
            always: false
        """,
        yaml(route(c, "upload").getResponseHeaders()));
    assertEquals(10L << 20, root.getMaxBodySize().getBytes());
    assertEquals(true, route(c, "upload").hasMaxBodySize());
    assertEquals(0, route(c, "upload").getMaxBodySize().getBytes());
  }

  @Test
  void aPerLocationListenerSettingIsReported() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /ws { proxy_pass http://b; keepalive_timeout 0; access_log off; }
        }
        """);

    assertEquals(
        List.of(
            "nginx.conf:3: keepalive_timeout 0 -- Wharf sets keepalive_timeout per listener, not "
                + "per location",
            "nginx.conf:3: access_log off -- Wharf sets access_log per listener, not per location"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  private Config server(String body) {
    return imports.of("server {\nlisten 80;\n" + body + "\n}\n").config();
  }

  /** A route's path match as one line: {@code {prefix: /api}}. */
  private static String flow(Route r) {
    String y = yaml(r.getMatch().getPath()).strip();
    return "{" + y + "}";
  }
}
