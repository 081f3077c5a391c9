package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.route;
import static dev.wharf.cli.nginx.Imports.upstreamPath;
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

/** proxy_pass: nginx's rules for the URI sent upstream, and the upstream it goes to. */
class ProxyPassTranslationTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void aUriPartReplacesThePrefixTheLocationMatched() {
    Route api = only("location /api/ { proxy_pass http://b/v1/; }");

    assertEquals(
        """
        name: api
        match:
          path:
            prefix: /api/
        proxy:
          upstream: b
          rewrite:
            regex: ^/api/(.*)
            replacement: /v1/$1
          location_rewrites:
            - prefix: http://b/v1/
              replacement: /api/
        request_headers:
          set:
            - name: Host
              value: b
        slash_redirect: true
        """,
        yaml(api));
    assertEquals("/v1/x", upstreamPath(api, "/api/x"));
    assertEquals("/v1/", upstreamPath(api, "/api/"));
  }

  @Test
  void withoutAUriPartTheRequestUriIsPassedUnchanged() {
    Route api = only("location /api { proxy_pass http://b; }");

    assertEquals(
        """
        name: api
        match:
          path:
            prefix: /api
        proxy:
          upstream: b
          location_rewrites:
            - prefix: http://b/
              replacement: /
        request_headers:
          set:
            - name: Host
              value: b
        """,
        yaml(api));
  }

  @Test
  void theHostSentUpstreamIsNginxsProxyHostUnlessALocationSetsIt() {
    assertEquals("10.0.0.5:8080", host(only("location / { proxy_pass http://10.0.0.5:8080; }")));
    assertEquals(
        "10.0.0.5",
        host(only("location / { proxy_pass http://10.0.0.5:80/x/; }")),
        "nginx leaves the default port out of $proxy_host");
    assertEquals(
        "$host", host(only("location / { proxy_pass http://b; proxy_set_header Host $host; }")));
  }

  private static String host(Route r) {
    return r.getRequestHeaders().getSetList().stream()
        .filter(h -> h.getName().equalsIgnoreCase("host"))
        .map(h -> h.getValue())
        .reduce((a, b) -> a + ", " + b)
        .orElse(null);
  }

  @Test
  void aUriPartWithoutTheTrailingSlashReplacesExactlyTheMatchedCharacters() {
    Route api = only("location /api { proxy_pass http://b/v1; }");

    assertEquals("/v1/x", upstreamPath(api, "/api/x"));
    assertEquals("/v1x", upstreamPath(api, "/apix"));
  }

  @Test
  void aLoneSlashStripsThePrefix() {
    assertEquals(
        "/x/y", upstreamPath(only("location /app/ { proxy_pass http://b/; }"), "/app/x/y"));
  }

  @Test
  void aUriPartThatIsTheLocationItselfNeedsNoRewrite() {
    assertEquals(
        false, only("location /api/ { proxy_pass http://b/api/; }").getProxy().hasRewrite());
  }

  @Test
  void anExactLocationIsReplacedWhole() {
    Route login = only("location = /login { proxy_pass http://b/auth/login; }");

    assertEquals("^/login$", login.getProxy().getRewrite().getRegex());
    assertEquals("/auth/login", upstreamPath(login, "/login"));
  }

  @Test
  void regexCharactersInTheLocationAreMatchedLiterally() {
    Route r = only("location /v1.0/ { proxy_pass http://b/; }");

    assertEquals("^/v1\\.0/(.*)", r.getProxy().getRewrite().getRegex());
    assertEquals("/v1x0/a", upstreamPath(r, "/v1x0/a"));
    assertEquals("/a", upstreamPath(r, "/v1.0/a"));
  }

  @Test
  void aRewriteBreakDecidesThePathAndTheUriPartIsIgnoredAsNginxDoes() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /api {
                rewrite ^/api/?(.*) /$1 break;
                proxy_pass http://b/ignored/;
            }
        }
        """);

    assertEquals("/users", upstreamPath(route(r.config(), "api"), "/api/users"));
    assertEquals(
        List.of(
            "nginx.conf:5: proxy_pass http://b/ignored/ -- nginx ignores the URI "
                + "part /ignored/ after rewrite ... break, and so does this route"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void anAddressGetsAnUpstreamOfItsOwnSharedByTheRoutesThatUseIt() {
    Config c =
        imports
            .of(
                """
        server {
            location /a { proxy_pass http://10.0.0.5:8080; }
            location /b { proxy_pass http://10.0.0.5:8080/b/; }
            location /c { proxy_pass http://backend.internal; }
        }
        """)
            .config();

    assertEquals(
        """
        upstreams:
          - name: 10.0.0.5-8080
            endpoints:
              - address: 10.0.0.5:8080
          - name: backend.internal
            endpoints:
              - address: backend.internal:80
        """,
        yaml(c.toBuilder().clearListeners().clearRoutes().build()));
    assertEquals("10.0.0.5-8080", route(c, "b").getProxy().getUpstream());
    assertEquals("backend.internal", route(c, "c").getProxy().getUpstream());
  }

  @Test
  void aNameOfAnUpstreamBlockIsThatUpstream() {
    Config c =
        imports
            .of(
                """
        upstream app { server 10.0.0.1:9000; }
        server { location / { proxy_pass http://app; } }
        """)
            .config();

    assertEquals(1, c.getUpstreamsCount());
    assertEquals("app", route(c, "root").getProxy().getUpstream());
  }

  @Test
  void whatWharfCannotProxyToAnswers503AndIsReported() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            location /v { proxy_pass http://$backend; }
            location ~ ^/re/ { proxy_pass http://b/x/; }
        }
        """);

    for (String name : List.of("v", "regex-re")) {
      assertEquals(503, route(r.config(), name).getRespond().getStatus(), name);
    }
    assertEquals(
        List.of(
            "nginx.conf:2: location /v {...} -- proxy_pass http://$backend (line 2): the host of "
                + "'http://$backend' is a variable that only a request decides; a Wharf route "
                + "names one upstream; "
                + "the route answers 503 until it is translated by hand (with the 1 directive "
                + "inside)",
            "nginx.conf:3: location ~ ^/re/ {...} -- proxy_pass http://b/x/ (line 3): nginx refuses "
                + "a URI part in proxy_pass in a regex location; the route answers 503 until it is "
                + "translated by hand (with the 1 directive inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void timeoutsAreTheRoutesAndABareNumberIsSeconds() {
    Route r =
        only(
            """
        location / {
            proxy_pass http://b;
            proxy_connect_timeout 5;
            proxy_read_timeout 300s;
            proxy_send_timeout 1m30s;
        }
        """);

    assertEquals(
        """
        upstream: b
        connect_timeout: 5s
        read_timeout: 5m
        send_timeout: 1m30s
        location_rewrites:
          - prefix: http://b/
            replacement: /
        """,
        yaml(r.getProxy()));
  }

  @Test
  void proxyNextUpstreamOffMeansNoRetry() {
    assertEquals(
        List.of(dev.wharf.proto.config.v1.ProxyAction.NextUpstream.OFF),
        only("location / { proxy_pass http://b; proxy_next_upstream off; }")
            .getProxy()
            .getNextUpstreamList());
  }

  @Test
  void proxyNextUpstreamStatusesTriesAndTimeoutAreTranslated() {
    NginxImport.Result r =
        imports.of(
            "server {\nlisten 80;\nlocation / { proxy_pass http://b; "
                + "proxy_next_upstream error timeout http_502 http_429 non_idempotent;\n"
                + "proxy_next_upstream_tries 3; proxy_next_upstream_timeout 15s; }\n}\n");

    assertEquals(
        """
        upstream: b
        connect_retries: 2
        next_upstream:
          - error
          - timeout
          - http_502
          - http_429
          - non_idempotent
        next_upstream_timeout: 15s
        location_rewrites:
          - prefix: http://b/
            replacement: /
        """,
        yaml(r.config().getRoutes(0).getProxy()));
    assertEquals(
        List.of(
            "nginx.conf:3: proxy_next_upstream error timeout http_502 http_429 non_idempotent --"
                + " a request part of whose body already went to the endpoint is never retried:"
                + " Wharf streams request bodies, nginx buffers them"),
        imports.lines(r, Kind.CHECK));
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
  }

  private Route only(String locations) {
    Config c = imports.of("server {\nlisten 80;\n" + locations + "\n}\n").config();
    assertEquals(1, c.getRoutesCount(), yaml(c));
    return c.getRoutes(0);
  }
}
