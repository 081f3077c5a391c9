package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15: nothing malformed reaches a backend. Each case sends exact bytes over a raw socket to a
 * proxy route and checks the status line the client gets, that its connection closes, and what the
 * backend received. The nginx column is nginx 1.22.1's answer to the same bytes ({@code return 200}
 * location, checked by hand); where Wharf differs it says so.
 */
@ExtendWith(NettyLeakExtension.class)
class RequestFramingEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final AtomicInteger MARKERS = new AtomicInteger();
  private static TestBackend backend;
  private static TestNode node;
  private static InetSocketAddress web;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
          - {name: open, address: 127.0.0.1, port: %d, underscores_in_headers: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: named
            match: {hosts: [a.example], path: {prefix: /}}
            respond: {body: "named $host"}
          - name: local
            match: {path: {exact: /local}}
            respond: {body: here}
          - name: app
            match: {path: {prefix: /}}
            proxy: {upstream: app}
        """
                    .formatted(ports.next(), ports.next(), backend.endpoint()));
    web = node.address("web");
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  /** Raw request, status Wharf answers; nginx 1.22's answer in the comment. */
  static Stream<Arguments> refusedHeads() {
    return Stream.of(
        Arguments.of("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505), // nginx 505
        Arguments.of("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505), // nginx 200: serves it as 1.1
        Arguments.of("GET / http/1.1\r\nHost: a\r\n\r\n", 400), // nginx 400
        Arguments.of("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400), // nginx 400
        Arguments.of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400), // nginx 200: skips spaces
        Arguments.of("get / HTTP/1.1\r\nHost: a\r\n\r\n", 400), // nginx 400
        Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400), // nginx 400
        Arguments.of("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400), // nginx 400
        Arguments.of("GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400), // nginx 400
        Arguments.of(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n",
            501), // nginx 501: unknown Transfer-Encoding
        Arguments.of(
            "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + "0\r\n\r\n",
            400), // nginx 400
        Arguments.of("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405), // nginx 405
        Arguments.of("GET / HTTP/1.1\r\nHost: a/../b\r\n\r\n", 400), // nginx 400
        Arguments.of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400), // nginx 400
        Arguments.of("GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", 400), // nginx 400
        Arguments.of("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400), // nginx 200: allows '@'
        Arguments.of("GET http://a/../b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)); // nginx 400
  }

  @ParameterizedTest
  @MethodSource("refusedHeads")
  void aMalformedHeadIsRefusedClosedAndNeverForwarded(String raw, int status) throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r = http.exchange(raw);

      assertEquals(status, r.status(), r.toString());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(http.closedByServer(), "closed after the refusal");
    }
    assertBackendSawNothingBeforeAMarker();
  }

  /** Raw body after a good chunked head, what the backend got of it before the close. */
  static Stream<Arguments> malformedChunks() {
    return Stream.of(
        Arguments.of("ffffffffffffffffff1\r\nabc\r\n0\r\n\r\n", ""), // size overflows
        Arguments.of("-1\r\nabc\r\n0\r\n\r\n", ""),
        Arguments.of("0x1\r\nA\r\n0\r\n\r\n", ""),
        Arguments.of("3\r\nabc\r\n1\nA\n0\n\n", "abc"), // bare LF after a good chunk
        Arguments.of("1\r\nAB\r\n0\r\n\r\n", "A")); // a chunk longer than its size
  }

  /**
   * nginx (request buffering on, its default) reads the whole body before it connects: 400 and
   * nothing upstream. Wharf streams the body, so the head and the good chunks have left when the
   * bad one arrives: the endpoint's connection is closed without {@code 0\r\n\r\n}, so no endpoint
   * can take the part for the whole, and the client gets the 400.
   */
  @ParameterizedTest
  @MethodSource("malformedChunks")
  void aMalformedChunkCutsTheUpstreamRequestOffAndIs400(String body, String forwarded)
      throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r =
          http.exchange(
              "POST /upload HTTP/1.1\r\nHost: a\r\n" + "Transfer-Encoding: chunked\r\n\r\n" + body);

      assertEquals(400, r.status(), "not the backend's 200: " + r);
      assertEquals("close", r.headers().get("connection"));
      assertTrue(http.closedByServer(), "closed after the 400");
    }
    RecordedRequest cut = backend.takeCutOffRequest(WAIT);
    assertEquals("/upload", cut.uri());
    assertEquals(forwarded, new String(cut.body(), StandardCharsets.ISO_8859_1));
    assertBackendSawNothingBeforeAMarker();
  }

  @Test
  void aMalformedChunkAfterALocalAnswerClosesTheConnection() throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r =
          http.exchange(
              "POST /local HTTP/1.1\r\nHost: a\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n-1\r\nx\r\n0\r\n\r\n");

      assertEquals(200, r.status(), "answered before the body was read, as nginx's return");
      assertTrue(http.closedByServer(), "the rest cannot be framed: closed");
    }
  }

  @Test
  void aGoodChunkedBodyStillArrivesWhole() throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r =
          http.exchange(
              "POST /echo HTTP/1.1\r\nHost: a\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");

      assertEquals(200, r.status());
      assertEquals("abcde", r.body());
    }
    assertEquals("abcde", new String(backend.takeRequest(WAIT).body(), StandardCharsets.UTF_8));
  }

  @Test
  void headersNamedWithUnderscoresAreDroppedUnlessTheListenerAllowsThem() throws Exception {
    String raw = "GET /echo HTTP/1.1\r\nHost: a\r\nX_User: admin\r\nX-Kept: 1\r\n\r\n";
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange(raw).status());
    }
    RecordedRequest dropped = backend.takeRequest(WAIT);
    assertEquals(null, dropped.header("X_User"), "nginx underscores_in_headers off");
    assertEquals("1", dropped.header("X-Kept"));

    try (RawHttp http = new RawHttp(node.address("open"))) {
      assertEquals(200, http.exchange(raw).status());
    }
    assertEquals("admin", backend.takeRequest(WAIT).header("X_User"));
  }

  @Test
  void everyUnderscoredHeaderIsDroppedWhateverItsCaseOrRepetition() throws Exception {
    String raw =
        "GET /echo HTTP/1.1\r\nHost: a\r\nX_A: 1\r\nX-Kept: 1\r\nx_a: 2\r\n_: 3\r\n"
            + "Y_B: 4\r\nX_A: 5\r\n\r\n";
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange(raw).status());
      assertEquals(200, http.exchange(raw).status()); // the same on a kept-alive connection
    }
    for (int i = 0; i < 2; i++) {
      RecordedRequest r = backend.takeRequest(WAIT);
      assertEquals(null, r.header("X_A"));
      assertEquals(null, r.header("_"));
      assertEquals(null, r.header("Y_B"));
      assertEquals("1", r.header("X-Kept"));
    }
  }

  @Test
  void anAbsoluteFormTargetRoutesByItsAuthorityNotTheHostHeader() throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r =
          http.exchange("GET http://A.example:8080/x HTTP/1.1\r\n" + "Host: elsewhere\r\n\r\n");

      assertEquals(200, r.status());
      assertEquals("named a.example", r.body(), "nginx 1.22: the same route, the same $host");
    }
  }

  @Test
  void anAbsoluteFormTargetGoesUpstreamInOriginForm() throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      RawHttp.Response r =
          http.exchange("GET http://b.example/echo?q=1 HTTP/1.1\r\n" + "Host: a.example\r\n\r\n");

      assertEquals(200, r.status(), "routed by b.example, not the Host header's a.example");
      assertEquals("/echo?q=1", r.headers().get("x-echo-uri"));
    }
    assertEquals("/echo?q=1", backend.takeRequest(WAIT).uri());
  }

  /**
   * A request sent after the case on a fresh connection must be the next one the backend records: a
   * forwarded malformed request would have reached it first (the client got Wharf's answer, which
   * comes after any forwarding).
   */
  private static void assertBackendSawNothingBeforeAMarker() throws IOException {
    String marker = "/status/200?marker=" + MARKERS.incrementAndGet();
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange("GET " + marker + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
    }
    assertEquals(marker, backend.takeRequest(WAIT).uri());
    assertEquals(0, backend.pendingRequests());
  }
}
