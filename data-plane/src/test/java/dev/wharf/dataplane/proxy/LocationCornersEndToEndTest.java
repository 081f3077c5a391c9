package dev.wharf.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * nginx's location corner cases through a real node and a real backend: the automatic 301 of a
 * proxied prefix ending in {@code /}, a request target made of the route regex's captures, and
 * {@code proxy_redirect} rewriting the backend's Location and Refresh headers.
 */
@ExtendWith(NettyLeakExtension.class)
class LocationCornersEndToEndTest {
  private TestBackend backend;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: root
            match: {path: {prefix: /}}
            proxy: {upstream: app}
          - name: static
            match: {path: {prefix: /static/}}
            proxy: {upstream: app}
            slash_redirect: true
            response_headers: {set: [{name: X-Route, value: static}]}
          - name: plain
            match: {path: {prefix: /plain/}}
            proxy: {upstream: app}
          - name: exact-beats-redirect
            match: {path: {exact: /exact}}
            respond: {status: 200, body: "exact\\n"}
          - name: exact-dir
            match: {path: {prefix_no_regex: /exact/}}
            proxy: {upstream: app}
            slash_redirect: true
          - name: prefix-beats-redirect
            match: {path: {prefix: /files}}
            respond: {status: 200, body: "files prefix\\n"}
          - name: files-dir
            match: {path: {prefix: /files/}}
            proxy: {upstream: app}
            slash_redirect: true
          - name: regex-not-tried
            match: {path: {regex: "^/static$"}}
            respond: {status: 200, body: "regex\\n"}
          - name: users
            match: {path: {regex: "^/users/(\\\\d+)$"}}
            proxy: {upstream: app, uri: "/u/$1$is_args$args"}
          - name: captured
            match: {path: {regex: "(?s)^/cap/(.*)$"}}
            proxy: {upstream: app, uri: "/c/$1"}
          - name: raw
            match: {path: {prefix: /raw/}}
            proxy: {upstream: app, uri: "/r$request_uri"}
          - name: redirects
            match: {path: {prefix: /redirect}}
            proxy:
              upstream: app
              location_rewrites:
                - {prefix: "http://internal.test/", replacement: "/"}
                - {regex: "^https?://internal\\\\.test:(\\\\d+)/(.*)$", case_insensitive: true,
                   replacement: "/port$1/$2"}
          - name: host-echo
            match: {path: {prefix: /hosted/}}
            proxy:
              upstream: app
              rewrite: {regex: "^/hosted(/.*)$", replacement: "$1"}
              location_rewrites: [{prefix: "http://%s/hosted/", replacement: "$scheme://$host/h/"}]
          - name: no-rules
            match: {path: {prefix: /norules/}}
            proxy: {upstream: app, rewrite: {regex: "^/norules(/.*)$", replacement: "$1"}}
        """
                    .formatted(ports.next(), backend.endpoint(), backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private RawHttp.Response get(String target) throws Exception {
    return send("GET " + target + " HTTP/1.1\r\nHost: a.test\r\n\r\n");
  }

  private RawHttp.Response send(String raw) throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return http.exchange(raw);
    }
  }

  private String received() {
    return backend.takeRequest(Duration.ofSeconds(10)).uri();
  }

  @Test
  void theSlashlessPrefixIsRedirectedWithItsQueryAndNothingReachesTheBackend() throws Exception {
    RawHttp.Response r = get("/static?a=1&b=%20");

    assertEquals(301, r.status());
    assertEquals("/static/?a=1&b=%20", r.headers().get("location"));
    assertEquals("static", r.headers().get("x-route"), "the route's own response headers");
    assertEquals("/static/", get("/static").headers().get("location"));
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void headAndPostAreRedirectedToo() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      http.send("HEAD /static HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response head = http.read(true);
      assertEquals(301, head.status());
      assertEquals("/static/", head.headers().get("location"));
    }
    RawHttp.Response post = send("POST /static HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
    assertEquals(301, post.status());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void theSlashedPathAndBelowAreProxiedAsBefore() throws Exception {
    assertEquals(200, get("/static/").status());
    assertEquals("/static/", received());
    assertEquals(200, get("/static/app.js?v=2").status());
    assertEquals("/static/app.js?v=2", received());
  }

  @Test
  void aRouteWithoutTheFlagLetsTheSlashlessPathFallThrough() throws Exception {
    RawHttp.Response r = get("/plain");

    assertEquals(200, r.status());
    assertEquals("/plain", received(), "served by the root route, as before");
  }

  @Test
  void anExactRouteOrAPrefixOfExactlyThatPathWinsOverTheRedirect() throws Exception {
    assertEquals("exact\n", get("/exact").body());
    assertEquals("files prefix\n", get("/files").body());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void regexesAreNotTriedForAPathNginxRedirects() throws Exception {
    assertEquals(301, get("/static").status());
  }

  @Test
  void onlyTheExactSlashlessPathIsRedirected() throws Exception {
    assertEquals(200, get("/staticx").status());
    assertEquals("/staticx", received());
    assertEquals(200, get("/static.js").status());
    assertEquals("/static.js", received());
  }

  @Test
  void aRegexCaptureAndTheArgumentsMakeTheTarget() throws Exception {
    assertEquals(200, get("/users/42?x=1&y=%2F").status());
    assertEquals("/u/42?x=1&y=%2F", received());
    assertEquals(200, get("/users/42").status());
    assertEquals("/u/42", received());
  }

  @Test
  void aPathTheRouteRegexDoesNotMatchGoesElsewhere() throws Exception {
    assertEquals(200, get("/users/4x2").status());
    assertEquals("/users/4x2", received(), "the root route");
  }

  @Test
  void anEncodedSlashInACaptureIsSentAsTheSlashItDecodesTo() throws Exception {
    assertEquals(200, get("/cap/a%2Fb").status());
    assertEquals("/c/a/b", received());
  }

  @Test
  void aCaptureCannotAddAQueryOrAFragment() throws Exception {
    assertEquals(200, get("/cap/a%3Fadmin=1%23x").status());
    assertEquals("/c/a%3Fadmin=1%23x", received());
  }

  @Test
  void aCaptureWithCrLfCannotSplitTheRequestLine() throws Exception {
    RawHttp.Response r = get("/cap/a%0d%0aInjected:%20yes%20HTTP/1.1");

    assertEquals(200, r.status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("/c/a%0D%0AInjected:%20yes%20HTTP/1.1", got.uri());
    assertNull(got.header("Injected"));
  }

  @Test
  void dotSegmentsAreResolvedBeforeTheCaptureIsTaken() throws Exception {
    assertEquals(200, get("/cap/x/%2e%2e/y").status());
    assertEquals("/c/y", received());
    assertEquals(200, get("/cap/x/..%2F..%2Fetc").status());
    // Climbed out of /cap/: the root route, which sends the target as received, not /c/...
    assertEquals("/cap/x/..%2F..%2Fetc", received());
  }

  @Test
  void anAlreadyEncodedVariableIsNotEncodedTwice() throws Exception {
    assertEquals(200, get("/raw/a%20b?q=%22").status());
    assertEquals("/r/raw/a%20b?q=%22", received());
  }

  @Test
  void aLocationAtTheProxiedAddressIsRewrittenInLocationAndRefresh() throws Exception {
    RawHttp.Response r = get("/redirect?to=http://internal.test/a/b%3Fc");

    assertEquals(302, r.status());
    assertEquals("/a/b?c", r.headers().get("location"));
    assertEquals("5; url=/a/b?c", r.headers().get("refresh"));
  }

  @Test
  void aRegexRuleReplacesWhatItMatchedWithItsCaptures() throws Exception {
    RawHttp.Response r = get("/redirect?to=HTTPS://Internal.TEST:8443/z");

    assertEquals("/port8443/z", r.headers().get("location"));
  }

  @Test
  void locationsThatDoNotStartWithARuleAreLeftAsSent() throws Exception {
    assertEquals(
        "http://other.test/a", get("/redirect?to=http://other.test/a").headers().get("location"));
    assertEquals(
        "http://internal.test", get("/redirect?to=http://internal.test").headers().get("location"));
    assertEquals(
        "/x?next=http://internal.test/",
        get("/redirect?to=/x%3Fnext%3Dhttp://internal.test/").headers().get("location"));
    assertEquals(
        "http://internal.test.evil/a",
        get("/redirect?to=http://internal.test.evil/a").headers().get("location"));
  }

  @Test
  void theReplacementMayUseTheClientFacingHost() throws Exception {
    // The backend builds its redirect from the Host it got, here its own address.
    RawHttp.Response r =
        send(
            "GET /hosted/redirect?to=http://%7Bhost%7D/hosted/next HTTP/1.1\r\nHost: "
                + backend.endpoint()
                + "\r\n\r\n");

    assertEquals(
        "http://" + backend.endpoint().replaceAll(":\\d+$", "") + "/h/next",
        r.headers().get("location"));
  }

  @Test
  void aRouteWithoutRulesPassesLocationUnchanged() throws Exception {
    RawHttp.Response r = get("/norules/redirect?to=http://internal.test/a");

    assertEquals(302, r.status());
    assertEquals("http://internal.test/a", r.headers().get("location"));
    assertEquals("5; url=http://internal.test/a", r.headers().get("refresh"));
  }
}
