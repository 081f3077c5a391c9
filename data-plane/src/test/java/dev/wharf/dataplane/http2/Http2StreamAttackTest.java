package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.AttackTarget.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawH2;
import dev.wharf.dataplane.testing.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile streams on an otherwise healthy HTTP/2 connection ({@link RawH2}): malformed requests
 * (RFC 9113 8.2, 8.3), oversized header lists, too many streams, bodies that never come or differ
 * from their declared length. Each test asserts what the client sees and what reached the backend.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2StreamAttackTest {
  static AttackTarget target;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.start();
  }

  @AfterAll
  static void stop() {
    if (target != null) {
      target.close();
    }
  }

  @BeforeEach
  void nothingIsLeftFromBefore() {
    target.assertBackendQueueEmpty("before this test");
  }

  @AfterEach
  void nothingArrivesThatTheTestDidNotTake() throws Exception {
    target.assertNoLateRequests();
  }

  private static String[] request(String path, String... more) {
    List<String> fields =
        new ArrayList<>(
            List.of(":method", "GET", ":scheme", "http", ":path", path, ":authority", "h2.test"));
    fields.addAll(List.of(more));
    return fields.toArray(String[]::new);
  }

  private static String[] post(String path, String... more) {
    List<String> fields =
        new ArrayList<>(
            List.of(":method", "POST", ":scheme", "http", ":path", path, ":authority", "h2.test"));
    fields.addAll(List.of(more));
    return fields.toArray(String[]::new);
  }

  /** A refusal: RST_STREAM PROTOCOL_ERROR, or a 4xx/5xx answer. */
  private static void assertRefused(RawH2.Stream s, String what) {
    assertTrue(
        s.resetCode() == RawH2.PROTOCOL_ERROR || s.status() >= 400,
        what + " was not refused: " + s);
  }

  static Stream<Arguments> malformedHeads() {
    return Stream.of(
        Arguments.of("uppercase name", request("/m", "X-Upper", "1")),
        Arguments.of("connection", request("/m", "connection", "keep-alive")),
        Arguments.of("transfer-encoding", request("/m", "transfer-encoding", "chunked")),
        Arguments.of("keep-alive", request("/m", "keep-alive", "timeout=5")),
        Arguments.of("upgrade", request("/m", "upgrade", "websocket")),
        Arguments.of("proxy-connection", request("/m", "proxy-connection", "keep-alive")),
        Arguments.of("te gzip", request("/m", "te", "gzip")),
        Arguments.of(
            "missing :path",
            new String[] {":method", "GET", ":scheme", "http", ":authority", "h2.test"}),
        Arguments.of(
            "missing :method",
            new String[] {":scheme", "http", ":path", "/m", ":authority", "h2.test"}),
        Arguments.of(
            "missing :scheme",
            new String[] {":method", "GET", ":path", "/m", ":authority", "h2.test"}),
        Arguments.of(
            "pseudo-header after a regular one",
            new String[] {
              ":method",
              "GET",
              ":scheme",
              "http",
              "x-a",
              "1",
              ":path",
              "/m",
              ":authority",
              "h2.test"
            }),
        Arguments.of("unknown pseudo-header", request("/m", ":evil", "1")),
        Arguments.of("duplicate :path", request("/m", ":path", "/other")),
        Arguments.of("empty :path", request("")),
        Arguments.of("host disagrees with :authority", request("/m", "host", "evil.test")),
        Arguments.of("two hosts", request("/m", "host", "h2.test", "host", "evil.test")),
        Arguments.of("CR LF in a value", request("/m", "x-a", "1\r\nx-smuggled: 1")),
        Arguments.of("NUL in a value", request("/m", "x-a", "a\0b")),
        Arguments.of("space in :path", request("/m?a b")),
        Arguments.of("space in :path before a version", request("/m HTTP/1.1")),
        Arguments.of("control character in :path", request("/m\u0001")),
        Arguments.of("DEL in :path query", request("/m?a=\u007f")),
        Arguments.of("tab in :path", request("/m\tx")),
        Arguments.of(
            "space in :method",
            new String[] {
              ":method", "GET X", ":scheme", "http", ":path", "/m", ":authority", "h2.test"
            }),
        Arguments.of("space in a name", request("/m", "x a", "1")),
        Arguments.of(
            "content-length twice", request("/m", "content-length", "0", "content-length", "1")),
        Arguments.of(
            "CONNECT without :protocol",
            new String[] {":method", "CONNECT", ":authority", "h2.test:443"}),
        Arguments.of(
            "extended CONNECT, not websocket",
            new String[] {
              ":method",
              "CONNECT",
              ":protocol",
              "h2c",
              ":scheme",
              "http",
              ":path",
              "/ws",
              ":authority",
              "h2.test"
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedHeads")
  void aMalformedRequestIsRefusedAndNeverReachesTheBackend(String what, String[] fields)
      throws Exception {
    try (RawH2 h2 = target.open()) {
      h2.write(RawH2.headers(1, true, fields));
      assertRefused(h2.awaitStream(1, WAIT), what);
      h2.write(RawH2.request(3, "GET", "/after", true));
      assertEquals(200, h2.awaitStream(3, WAIT).status(), "the connection still serves");
    }
    assertEquals(List.of("/after"), target.requestsBeforeMarker());
  }

  @Test
  void aBodyShorterThanItsContentLengthNeverReachesTheBackendWhole() throws Exception {
    try (RawH2 h2 = target.open()) {
      h2.write(
          RawH2.concat(
              RawH2.headers(1, false, post("/short", "content-length", "10")),
              RawH2.data(1, "abc".getBytes(StandardCharsets.UTF_8), true)));
      assertRefused(h2.awaitStream(1, WAIT), "3 bytes of 10");
    }
    assertEquals(List.of(), target.requestsBeforeMarker());
  }

  @Test
  void aBodyLongerThanItsContentLengthNeverReachesTheBackend() throws Exception {
    try (RawH2 h2 = target.open()) {
      h2.write(
          RawH2.concat(
              RawH2.headers(1, false, post("/long", "content-length", "3")),
              RawH2.data(1, "abc".getBytes(StandardCharsets.UTF_8), false),
              RawH2.data(
                  1,
                  "GET /smuggled HTTP/1.1\r\nHost: h2.test\r\n\r\n"
                      .getBytes(StandardCharsets.UTF_8),
                  true)));
      assertRefused(h2.awaitStream(1, WAIT), "a body over its length");
    }
    // The head and the 3 bytes it declared may have gone before the 4th byte arrived (that is a
    // whole, honest request); the bytes past its length never do, as a body or as a request.
    for (RecordedRequest got : target.recordedBeforeMarker()) {
      assertEquals("/long", got.uri());
      assertEquals("abc", new String(got.body(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aBodyOfItsDeclaredLengthIsForwarded() throws Exception {
    try (RawH2 h2 = target.open()) {
      h2.write(
          RawH2.concat(
              RawH2.headers(1, false, post("/exact", "content-length", "3")),
              RawH2.data(1, "abc".getBytes(StandardCharsets.UTF_8), true)));
      RawH2.Stream s = h2.awaitStream(1, WAIT);
      assertEquals(200, s.status(), s.toString());
      assertEquals("abc", s.body());
    }
    RecordedRequest got = target.backend.takeRequest(WAIT);
    assertEquals("/exact", got.uri());
    assertEquals("abc", new String(got.body(), StandardCharsets.UTF_8));
  }

  @Test
  void http2ExtensionHeadersFromTheClientNeverReachTheBackend() throws Exception {
    try (RawH2 h2 = target.open()) {
      h2.write(
          RawH2.headers(
              1,
              true,
              request(
                  "/ext",
                  "x-http2-scheme",
                  "https",
                  "x-http2-stream-id",
                  "99",
                  "x-http2-path",
                  "/admin",
                  "x-http2-stream-weight",
                  "1")));
      assertEquals(200, h2.awaitStream(1, WAIT).status());
    }
    RecordedRequest got = target.backend.takeRequest(WAIT);
    assertEquals("/ext", got.uri());
    for (String name :
        List.of("x-http2-scheme", "x-http2-stream-id", "x-http2-path", "x-http2-stream-weight")) {
      assertNull(got.header(name), name + " in " + got.headers());
    }
  }

  @Test
  void aHeaderListOverMaxHeaderListSizeIs431AndOneJustUnderIsServed() throws Exception {
    String value = "v".repeat(1000);
    List<String> over = new ArrayList<>(List.of(request("/over")));
    List<String> under = new ArrayList<>(List.of(request("/under")));
    for (int i = 0; i < 10; i++) {
      over.addAll(List.of("x-h" + i, value));
    }
    for (int i = 0; i < 7; i++) {
      under.addAll(List.of("x-h" + i, value));
    }
    try (RawH2 h2 = target.open()) {
      h2.write(RawH2.headers(1, true, over.toArray(String[]::new)));
      RawH2.Stream refused = h2.awaitStream(1, WAIT);
      assertEquals(431, refused.status(), refused.toString());
      h2.write(RawH2.headers(3, true, under.toArray(String[]::new)));
      RawH2.Stream served = h2.awaitStream(3, WAIT);
      assertEquals(200, served.status(), served.toString());
    }
    assertEquals(List.of("/under"), target.requestsBeforeMarker());
  }

  @Test
  void aStreamBeyondMaxConcurrentStreamsIsRefusedAndTheOthersComplete() throws Exception {
    try (RawH2 h2 = target.open()) {
      int open = AttackTarget.MAX_CONCURRENT_STREAMS;
      for (int i = 0; i < open; i++) {
        h2.write(RawH2.headers(1 + 2 * i, false, post("/held-" + i)));
      }
      int extra = 1 + 2 * open;
      h2.write(RawH2.request(extra, "GET", "/one-too-many", true));
      RawH2.Stream refused = h2.awaitStream(extra, WAIT);
      assertEquals(RawH2.REFUSED_STREAM, refused.resetCode(), refused.toString());
      for (int i = 0; i < open; i++) {
        h2.write(RawH2.data(1 + 2 * i, ("body-" + i).getBytes(StandardCharsets.UTF_8), true));
      }
      for (int i = 0; i < open; i++) {
        RawH2.Stream s = h2.awaitStream(1 + 2 * i, WAIT);
        assertEquals(200, s.status(), s.toString());
        assertEquals("body-" + i, s.body());
      }
    }
    List<String> got = new ArrayList<>(target.requestsBeforeMarker());
    got.sort(null);
    assertEquals(List.of("/held-0", "/held-1", "/held-2", "/held-3"), got);
  }

  @Test
  void aStreamWhoseBodyNeverComesGets408WhileItsNeighbourIsServed() throws Exception {
    try (RawH2 h2 = RawH2.open(target.slow(), WAIT)) {
      h2.write(RawH2.headers(1, false, post("/never")));
      h2.write(RawH2.request(3, "GET", "/neighbour", true));
      assertEquals(200, h2.awaitStream(3, WAIT).status());
      RawH2.Stream silent = h2.awaitStream(1, WAIT);
      assertEquals(408, silent.status(), silent.toString());
      assertNull(h2.goAway(), "the connection lives on");
      h2.write(RawH2.request(5, "GET", "/after-408", true));
      assertEquals(200, h2.awaitStream(5, WAIT).status());
    }
    List<String> got = new ArrayList<>(target.requestsBeforeMarker());
    got.sort(null);
    assertEquals(List.of("/after-408", "/neighbour"), got);
  }
}
