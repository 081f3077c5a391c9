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
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15: {@code max_header_line_size}, nginx's {@code large_client_header_buffers 4 8k} SIZE. A
 * header line longer than the limit is 400 and the connection is closed, with nothing forwarded;
 * nginx 1.22.1 answers such a line {@code 400 Bad Request} ("Request Header Or Cookie Too Large"),
 * checked by hand. The line must fit the buffer with its CRLF, as in nginx: with 8k a line of 8190
 * bytes passes and 8191 is refused, in both.
 */
@ExtendWith(NettyLeakExtension.class)
class HeaderLineLimitEndToEndTest {
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
          - {name: wide, address: 127.0.0.1, port: %d, max_header_line_size: 32k,
             max_request_header_size: 64k}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
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

  /** {@code X-Long: vvv...} of exactly {@code length} bytes, without CRLF. */
  private static String line(int length) {
    return "X-Long: " + "v".repeat(length - "X-Long: ".length());
  }

  private static String get(String headerLine) {
    return "GET /echo HTTP/1.1\r\nHost: a\r\n" + headerLine + "\r\n\r\n";
  }

  @Test
  void aFortyKilobyteHeaderLineIs400AndClosedAndNeverForwarded() throws Exception {
    assertRefused(web, get(line(40 * 1024)));
  }

  @Test
  void aLineOneByteOverTheDefaultEightKibibytesWithItsCrlfIsRefused() throws Exception {
    assertRefused(web, get(line(8 * 1024 - 1)));
  }

  @Test
  void aCookieLineOverTheLimitIsRefusedLikeAnyOther() throws Exception {
    assertRefused(web, get("Cookie: s=" + "c".repeat(9000)));
  }

  @Test
  void aLineThatFillsTheLimitWithItsCrlfReachesTheBackendIntact() throws Exception {
    String line = line(8 * 1024 - 2);
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange(get(line)).status());
    }
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals(line.substring("X-Long: ".length()), got.header("X-Long"));
  }

  @Test
  void aListenerWithAThirtyTwoKibibyteLimitTakesAThirtyKilobyteLine() throws Exception {
    String line = line(30 * 1024);
    try (RawHttp http = new RawHttp(node.address("wide"))) {
      RawHttp.Response r = http.exchange(get(line));
      assertEquals(200, r.status(), r.toString());
    }
    assertEquals(line.substring("X-Long: ".length()), backend.takeRequest(WAIT).header("X-Long"));
    assertRefused(node.address("wide"), get(line(32 * 1024 - 1)));
  }

  /**
   * The request line is not a header line: it is held to {@code max_uri_length} (414, default 8k)
   * whatever {@code max_header_line_size} says, as nginx answers a request line over SIZE with 414.
   */
  @Test
  void aLongRequestLineIs414NotTheHeaderLineLimit() throws Exception {
    try (RawHttp http = new RawHttp(node.address("wide"))) {
      RawHttp.Response r =
          http.exchange("GET /" + "u".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(414, r.status(), r.toString());
      assertTrue(http.closedByServer(), "closed after the 414");
    }
    assertBackendSawNothingBeforeAMarker();
  }

  private static void assertRefused(InetSocketAddress address, String raw) throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r = http.exchange(raw);

      assertEquals(400, r.status(), r.toString());
      assertEquals("close", r.headers().get("connection"));
      assertEquals("400 Bad Request\n", r.body());
      assertTrue(http.closedByServer(), "closed after the refusal");
    }
    assertBackendSawNothingBeforeAMarker();
  }

  private static void assertBackendSawNothingBeforeAMarker() throws IOException {
    String marker = "/status/200?marker=" + MARKERS.incrementAndGet();
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange("GET " + marker + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
    }
    assertEquals(marker, backend.takeRequest(WAIT).uri());
    assertEquals(0, backend.pendingRequests());
  }
}
