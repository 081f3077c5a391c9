package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker's requests against {@code error_page}: the page's route is proxied, so the backend
 * records exactly what an internal redirect sends (never the client's body, range or conditions),
 * pipelined requests behind a replaced response, HEAD, and a page that itself fails. Each test
 * asserts the client's bytes and the backend's requests, in order.
 */
@ExtendWith(NettyLeakExtension.class)
class ErrorPagesAttackTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static TestBackend backend;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/ok.html"), "ok\n");
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d}
        upstreams:
          - {name: app, endpoints: [{address: "%2$s"}]}
        routes:
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%3$s/www"}
            error_pages: [{codes: [404], target: /pages/not-found}]
          - name: pages
            match: {path: {prefix: /pages/}}
            proxy: {upstream: app}
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app, rewrite: {regex: "^/api(/.*)$", replacement: "$1"}}
            intercept_errors: true
            error_pages: [{codes: [500, 503], target: /pages/sorry}]
          - name: failing
            match: {path: {prefix: /failing/}}
            proxy: {upstream: app, rewrite: {regex: "^/failing(/.*)$", replacement: "$1"}}
            intercept_errors: true
            error_pages: [{codes: [500], target: /broken/status/503}]
          - name: broken
            match: {path: {prefix: /broken/}}
            proxy: {upstream: app, rewrite: {regex: "^/broken(/.*)$", replacement: "$1"}}
            intercept_errors: true
            error_pages: [{codes: [503], target: /pages/never}]
        """
                    .formatted(
                        ports.next(), backend.endpoint(), dir.toString().replace('\\', '/')));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  @AfterEach
  void theBackendGotNothingElse() {
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void aPostsBodyRangeAndConditionsNeverReachThePagesBackend() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r =
          http.exchange(
              "POST /api/status/500 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n"
                  + "Range: bytes=0-0\r\nIf-None-Match: *\r\n"
                  + "If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT\r\n"
                  + "X-Kept: yes\r\n\r\nhello");
      assertEquals(500, r.status());
      assertEquals("", r.body(), "the page is the echo of an empty GET");
      assertEquals("/pages/sorry", r.headers().get("x-echo-uri"));
      assertEquals("GET", r.headers().get("x-echo-method"));
      RecordedRequest original = backend.takeRequest(BOUND);
      assertEquals("POST /status/500 hello", line(original));
      RecordedRequest page = backend.takeRequest(BOUND);
      assertEquals("GET /pages/sorry ", line(page));
      assertNull(page.header("range"));
      assertNull(page.header("if-none-match"));
      assertNull(page.header("if-modified-since"));
      assertNull(page.header("transfer-encoding"));
      assertEquals("yes", page.header("x-kept"), "the client's other headers go with the page");
      assertEquals(200, http.exchange("GET /ok.html HTTP/1.1\r\nHost: a.test\r\n\r\n").status());
    }
  }

  @Test
  void pipelinedRequestsBehindReplacedResponsesAreAnsweredInOrder() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      http.send(
          "GET /nowhere HTTP/1.1\r\nHost: a.test\r\n\r\n"
              + "POST /api/status/503 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n\r\nabc"
              + "HEAD /api/status/500 HTTP/1.1\r\nHost: a.test\r\n\r\n"
              + "GET /ok.html HTTP/1.1\r\nHost: a.test\r\n\r\n");
      List<String> seen =
          List.of(
              summary(http.read(false)),
              summary(http.read(false)),
              summary(http.read(true)),
              summary(http.read(false)));
      assertEquals(
          List.of(
              "404 GET /pages/not-found",
              "503 GET /pages/sorry",
              "500 HEAD /pages/sorry",
              "200 null null ok\n"),
          seen);
    }
    assertEquals(
        List.of(
            "GET /pages/not-found ",
            "POST /status/503 abc",
            "GET /pages/sorry ",
            "HEAD /status/500 ",
            "HEAD /pages/sorry "),
        List.of(
            line(backend.takeRequest(BOUND)),
            line(backend.takeRequest(BOUND)),
            line(backend.takeRequest(BOUND)),
            line(backend.takeRequest(BOUND)),
            line(backend.takeRequest(BOUND))));
  }

  @Test
  void aPageThatFailsIsAnsweredAsItIsAndNeverRedirectsAgain() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r =
          http.exchange("GET /failing/status/500 HTTP/1.1\r\nHost: a.test\r\n\r\n");
      assertEquals(503, r.status(), "the page's own status, as recursive_error_pages off");
      assertNull(r.headers().get("x-echo-uri"), "no second page");
      assertEquals(200, http.exchange("GET /ok.html HTTP/1.1\r\nHost: a.test\r\n\r\n").status());
    }
    assertEquals("GET /status/500 ", line(backend.takeRequest(BOUND)));
    assertEquals("GET /status/503 ", line(backend.takeRequest(BOUND)));
  }

  private static String summary(RawHttp.Response r) {
    String echo = r.headers().get("x-echo-method") + " " + r.headers().get("x-echo-uri");
    return r.status() + " " + echo + (r.body().isEmpty() ? "" : " " + r.body());
  }

  private static String line(RecordedRequest r) {
    return r.method() + " " + r.uri() + " " + new String(r.body(), StandardCharsets.UTF_8);
  }
}
