package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real node on a loopback port answering respond and redirect routes, and refusing bad requests
 * with nginx's statuses, as real clients see it.
 */
@ExtendWith(NettyLeakExtension.class)
class LocalRoutesEndToEndTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);
  private static TestNode node;
  private static InetSocketAddress address;

  @BeforeAll
  static void startNode() throws Exception {
    node =
        TestNode.builder()
            .clock(CLOCK)
            .hostname("testhost")
            .start(
                ports ->
                    """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d, max_uri_length: 1k,
             max_request_header_size: 2k}
        routes:
          - name: hello
            match: {path: {exact: /hello}}
            respond:
              body: "uri=$uri args=$args who=$remote_addr host=$host ua=$http_user_agent time=$time_iso8601"
          - name: teapot
            match: {path: {prefix: /tea}}
            respond: {status: 418, body: short and stout, content_type: text/x-teapot}
            max_body_size: 10
          - name: moved
            match: {path: {regex: "^/old/(.*)$"}}
            redirect: {status: 301, location: "https://$host/new/$1$is_args$args"}
        """
                        .formatted(ports.next()));
    address = node.address("web");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return Http.get(node.uri("web", path), "User-Agent", "wharf-test");
  }

  @Test
  void aRespondRouteRendersRequestVariables() throws Exception {
    HttpResponse<String> r = get("/hello?a=1");

    assertEquals(200, r.statusCode());
    assertEquals(
        "uri=/hello args=a=1 who=127.0.0.1 host=127.0.0.1 ua=wharf-test "
            + "time=2026-11-21T10:15:30Z",
        r.body());
    assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
    assertEquals("wharf", r.headers().firstValue("server").orElseThrow());
  }

  @Test
  void aRespondRouteUsesItsStatusAndContentType() throws Exception {
    HttpResponse<String> r = get("/teapot");

    assertEquals(418, r.statusCode());
    assertEquals("short and stout", r.body());
    assertEquals("text/x-teapot", r.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void aRedirectCarriesRegexGroupsAndTheQuery() throws Exception {
    HttpResponse<String> r = get("/old/docs/intro?lang=en");

    assertEquals(301, r.statusCode());
    assertEquals(
        "https://127.0.0.1/new/docs/intro?lang=en",
        r.headers().firstValue("location").orElseThrow());
  }

  @Test
  void anUnknownPathIs404() throws Exception {
    HttpResponse<String> r = get("/nowhere");

    assertEquals(404, r.statusCode());
    assertEquals("404 Not Found\n", r.body());
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r = http.exchange("GET /hello?n=" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(200, r.status());
        assertTrue(r.body().startsWith("uri=/hello args=n=" + i + " "), r.body());
      }
    }
  }

  @Test
  void headGetsTheLengthButNoBody() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response head = http.exchange("HEAD /teapot HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response next = http.exchange("GET /teapot HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(418, head.status());
      assertEquals("15", head.headers().get("content-length"));
      assertEquals("short and stout", next.body(), "a HEAD body would have shifted this one");
    }
  }

  @Test
  void aBodyOverTheRouteLimitIs413AndTheConnectionCloses() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r =
          http.exchange("POST /tea HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");

      assertEquals(413, r.status());
      assertTrue(http.closedByServer());
    }
  }

  @Test
  void aBodyWithinTheLimitIsReadAndDroppedAndKeepAliveContinues() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response first =
          http.exchange(
              "POST /tea HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "5\r\nhello\r\n0\r\n\r\n");
      RawHttp.Response second = http.exchange("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(418, first.status());
      assertEquals(200, second.status());
    }
  }

  // Content-Length with Transfer-Encoding, and conflicting lengths, are rows of
  // RequestFramingRows, run on a proxy route where what the backend receives can be seen.

  @Test
  void aMissingHostIs400() throws IOException {
    assertRefused(400, "GET /hello HTTP/1.1\r\n\r\n");
  }

  @Test
  void aPathClimbingAboveTheRootIs400() throws IOException {
    assertRefused(400, "GET /a/../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n");
  }

  @Test
  void garbageIs400() throws IOException {
    assertRefused(400, "HELLO THERE\r\n\r\n");
  }

  @Test
  void aTooLongUriIs414() throws IOException {
    assertRefused(414, "GET /" + "x".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
  }

  @Test
  void aTooLargeHeadIs431() throws IOException {
    assertRefused(431, "GET /hello HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(3000) + "\r\n\r\n");
  }

  private static void assertRefused(int status, String raw) throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r = http.exchange(raw);

      assertEquals(status, r.status(), r.toString());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(r.body().startsWith(status + " "), r.body());
      assertTrue(http.closedByServer(), "the connection must be closed after a refused request");
    }
  }
}
