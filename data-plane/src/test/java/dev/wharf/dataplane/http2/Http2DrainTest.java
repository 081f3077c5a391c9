package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.RawH2Client.DATA;
import static dev.wharf.dataplane.http2.RawH2Client.GOAWAY;
import static dev.wharf.dataplane.http2.RawH2Client.HEADERS;
import static dev.wharf.dataplane.http2.RawH2Client.PING;
import static dev.wharf.dataplane.http2.RawH2Client.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http2.RawH2Client.Frame;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node drain and a config-change drain as HTTP/2 clients see them, over TLS (ALPN h2) and h2c:
 * GOAWAY with the last stream id 2^31-1, a PING, then the final GOAWAY with the real last stream
 * id; streams in flight finish whole, a stream opened after the final GOAWAY never reaches the
 * backend, WebSockets over HTTP/2 get 1001, and the connection closes after its last stream.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2DrainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_STREAM_ID = Integer.MAX_VALUE;
  private static final long REFUSED_STREAM = 0x7;
  private static final String HOST = "h2.test";

  /**
   * For nghttp only, whose frames the test sees only once it exits, so it cannot release a held
   * response on a frame: long enough that the drain surely starts while the backend still holds it.
   */
  private static final String SLOW = "/slow?ms=3000";

  /** Held by the backend until the test releases it on the frame it waits for: no fixed wait. */
  private static final String HOLD = "/hold";

  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Issued cert;
  TestBackend backend;
  TestNode node;

  @BeforeAll
  static void issue() {
    pki = TestPki.create(dir);
    cert = pki.rsa("h2-drain", HOST);
  }

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node = TestNode.start(ports -> config(ports.next(), ports.next(), backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private static String config(int tlsPort, int clearPort, String endpoint) {
    return """
        listeners:
          - name: tls
            address: 127.0.0.1
            port: %d
            tls:
              certificates: [{certificate_file: "%s", key_file: "%s"}]
          - name: clear
            address: 127.0.0.1
            port: %d
            http2: {cleartext: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
            drain: {timeout: 0s, spread: 0s}
        routes:
          - {name: all, match: {path: {prefix: /}}, proxy: {upstream: app}}
        """
        .formatted(tlsPort, cert.certificate(), cert.key(), clearPort, endpoint);
  }

  private RawH2Client connect(String listener) {
    int port = node.address(listener).getPort();
    return listener.equals("tls")
        ? RawH2Client.tls(pki.clientContext(), HOST, port)
        : RawH2Client.cleartext(port);
  }

  private static String scheme(String listener) {
    return listener.equals("tls") ? "https" : "http";
  }

  /** Drains the node (no grace) on another thread; completes with the connections left. */
  private CompletableFuture<Integer> drain() {
    NodeDrain.Settings settings = new NodeDrain.Settings(Duration.ZERO, WAIT);
    return CompletableFuture.supplyAsync(
        () -> NodeDrain.run(node.node(), settings, System::nanoTime));
  }

  private void assertDrainedCompletely(CompletableFuture<Integer> drain) throws Exception {
    assertEquals(0, drain.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS), "connections left");
    assertEquals(0, node.node().openConnections());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void nghttpSeesGracefulGoAwayThenPingThenFinalGoAwayAndItsStreamFinishes(String listener)
      throws Exception {
    MissingTool.require("nghttp");
    String url = scheme(listener) + "://127.0.0.1:" + node.address(listener).getPort() + SLOW;
    CompletableFuture<CommandRunner.Result> nghttp =
        CompletableFuture.supplyAsync(() -> CommandRunner.run(WAIT, List.of("nghttp", "-v", url)));
    assertEquals("/slow?ms=3000", backend.takeRequest(WAIT).uri());

    CompletableFuture<Integer> drain = drain();

    CommandRunner.Result r = nghttp.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    assertEquals(0, r.exitCode(), r.toString());
    String out = r.stdout();
    Matcher request = Pattern.compile("send HEADERS frame <[^>]*stream_id=(\\d+)>").matcher(out);
    assertTrue(request.find(), out);
    String stream = request.group(1);
    Matcher goAway =
        Pattern.compile(
                "recv GOAWAY frame <[^>]*>\\s*\\(last_stream_id=(\\d+), error_code=NO_ERROR\\(0x00\\)")
            .matcher(out);
    assertTrue(goAway.find(), out);
    assertEquals(String.valueOf(MAX_STREAM_ID), goAway.group(1), "the graceful GOAWAY first");
    int graceful = goAway.start();
    int ping = out.indexOf("recv PING frame", graceful);
    assertTrue(ping > graceful, "a PING after the graceful GOAWAY:\n" + out);
    assertTrue(goAway.find(), out);
    assertEquals(stream, goAway.group(1), "the final GOAWAY names the request's stream");
    assertTrue(goAway.start() > ping, out);
    int body = out.indexOf("recv DATA frame <length=5, flags=0x01, stream_id=" + stream + ">");
    assertTrue(body > graceful, "the response came after the drain began:\n" + out);
    assertTrue(out.contains(":status: 200"), out);
    assertTrue(out.contains("slow\n"), out);
    assertDrainedCompletely(drain);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void streamsBeforeTheFinalGoAwayFinishAndOneAfterItNeverReachesTheBackend(String listener)
      throws Exception {
    String authority = HOST;
    try (RawH2Client client = connect(listener)) {
      client.get(1, authority, scheme(listener), HOLD);
      assertEquals(HOLD, backend.takeRequest(WAIT).uri());

      CompletableFuture<Integer> drain = drain();

      Frame graceful = nextControl(client);
      assertTrue(graceful.is(GOAWAY), graceful.toString());
      assertEquals(MAX_STREAM_ID, graceful.goAwayLastStreamId());
      assertEquals(0, graceful.errorCode());
      Frame ping = nextControl(client);
      assertTrue(ping.is(PING) && (ping.flags() & RawH2Client.ACK) == 0, ping.toString());
      // Not answered yet: the node still takes new streams, as the first GOAWAY promised.
      // Sent together, so the node surely takes stream 3 before it learns the client saw GOAWAY.
      client.corked(
          () -> {
            client.get(3, authority, scheme(listener), "/between");
            client.ping(ping.pingData(), true);
          });
      Frame last = nextControl(client);
      assertTrue(last.is(GOAWAY), last.toString());
      assertEquals(3, last.goAwayLastStreamId(), "the final GOAWAY names the last stream taken");
      assertEquals(0, last.errorCode());
      client.get(5, authority, scheme(listener), "/after-the-final-goaway");
      backend.releaseHeld(); // stream 1 was held across both GOAWAYs

      List<Frame> rest = untilClosed(client, f -> {});
      assertEquals("held\n", body(rest, 1));
      assertEquals("200", status(rest, 1));
      assertEquals("200", status(rest, 3));
      List<Frame> refused = rest.stream().filter(f -> f.streamId() == 5).toList();
      assertEquals(1, refused.size(), rest.toString());
      assertTrue(refused.get(0).is(RST_STREAM), rest.toString());
      assertEquals(REFUSED_STREAM, refused.get(0).errorCode(), "safe to retry elsewhere");
      assertDrainedCompletely(drain);
    }
    assertEquals("/between", backend.takeRequest(WAIT).uri());
    assertEquals(0, backend.pendingRequests(), "stream 5 must never reach the backend");
  }

  @Test
  void theFinalGoAwayGoesEvenWhenTheClientNeverAnswersThePing() throws Exception {
    try (RawH2Client client = connect("clear")) {
      client.get(1, HOST, "http", HOLD);
      backend.takeRequest(WAIT);
      CompletableFuture<Integer> drain = drain();

      List<Frame> goAwaysSeen = new ArrayList<>();
      List<Frame> frames =
          untilClosed(
              client,
              f -> {
                if (f.is(GOAWAY) && goAwaysSeen.add(f) && goAwaysSeen.size() == 2) {
                  backend.releaseHeld(); // the final GOAWAY came while stream 1 was held
                }
              });
      List<Frame> goAways = frames.stream().filter(f -> f.is(GOAWAY)).toList();
      assertEquals(2, goAways.size(), frames.toString());
      assertEquals(MAX_STREAM_ID, goAways.get(0).goAwayLastStreamId());
      assertEquals(1, goAways.get(1).goAwayLastStreamId());
      assertEquals("held\n", body(frames, 1));
      assertDrainedCompletely(drain);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void aConfigChangeLeavesTheConnectionAndItsStreamInFlightAlone(String listener) throws Exception {
    try (TestBackend other = TestBackend.start("other");
        RawH2Client client = connect(listener)) {
      client.get(1, HOST, scheme(listener), HOLD);
      backend.takeRequest(WAIT);

      int tls = node.address("tls").getPort();
      int clear = node.address("clear").getPort();
      node.apply(config(tls, clear, other.endpoint())); // the old endpoint is gone
      client.get(3, HOST, scheme(listener), "/after-the-change");
      backend.releaseHeld(); // stream 1 was in flight across the change

      List<Frame> frames = new ArrayList<>();
      while (frames.stream().filter(Frame::endStream).count() < 2) {
        Frame f = client.next(WAIT);
        assertNotNull(f, "the connection closed: " + frames);
        frames.add(f);
      }
      assertEquals("held\n", body(frames, 1), "the stream in flight finished whole");
      assertEquals("200", status(frames, 3));
      assertEquals("/after-the-change", other.takeRequest(WAIT).uri());
      assertTrue(frames.stream().noneMatch(f -> f.is(GOAWAY)), frames.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void aWebSocketOverHttp2Gets1001OnNodeDrainAndTheConnectionClosesAfterIt(String listener)
      throws Exception {
    try (RawH2Client client = connect(listener)) {
      openWebSocket(client, 1, scheme(listener));
      client.get(3, HOST, scheme(listener), HOLD);
      backend.takeRequest(WAIT);
      CompletableFuture<Integer> drain = drain();

      List<Frame> frames =
          untilClosed(
              client,
              f -> {
                if (f.is(GOAWAY)) {
                  backend.releaseHeld(); // stream 3 was held until the drain began
                }
                if (f.is(DATA) && f.streamId() == 1 && closeCode(f.payload()) == 1001) {
                  client.data(1, maskedFrame(0x8, new byte[] {0x03, (byte) 0xE9}), true);
                  backend.releaseHeld();
                }
              });
      assertEquals(1001, closeCode(dataOf(frames, 1)), frames.toString());
      assertEquals("held\n", body(frames, 3));
      // Known: after the close handshake the stream ends with RST_STREAM CANCEL, not END_STREAM.
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT), "the backend got 1001 too");
      assertDrainedCompletely(drain);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void removingTheEndpointClosesItsWebSocketWith1001AndTheConnectionStays(String listener)
      throws Exception {
    try (TestBackend other = TestBackend.start("other");
        RawH2Client client = connect(listener)) {
      openWebSocket(client, 1, scheme(listener));
      client.get(3, HOST, scheme(listener), HOLD);
      backend.takeRequest(WAIT);

      int tls = node.address("tls").getPort();
      int clear = node.address("clear").getPort();
      node.apply(config(tls, clear, other.endpoint()));
      backend.releaseHeld(); // stream 3 was in flight across the change

      byte[] close = null;
      String body = null;
      List<Frame> seen = new ArrayList<>();
      while (close == null || body == null) {
        Frame f = client.next(WAIT);
        assertNotNull(f, "the connection closed: " + seen);
        seen.add(f);
        if (f.is(DATA) && f.streamId() == 1 && closeCode(f.payload()) > 0) {
          close = f.payload();
          client.data(1, maskedFrame(0x8, new byte[] {0x03, (byte) 0xE9}), true);
        }
        if (f.is(DATA) && f.streamId() == 3 && f.endStream()) {
          body = body(seen, 3);
        }
      }
      assertEquals(1001, closeCode(close));
      assertEquals("held\n", body, "the request in flight over the change finished whole");
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT));
      assertTrue(seen.stream().noneMatch(f -> f.is(GOAWAY)), seen.toString());

      client.get(5, HOST, scheme(listener), "/after-the-change");
      List<Frame> answer = new ArrayList<>();
      Frame f;
      do {
        f = client.next(WAIT);
        assertNotNull(f, "the connection closed: " + answer);
        answer.add(f);
      } while (!(f.streamId() == 5 && f.endStream()));
      assertEquals("200", status(answer, 5));
      assertEquals("/after-the-change", other.takeRequest(WAIT).uri());
      assertFalse(answer.stream().anyMatch(x -> x.is(GOAWAY)), answer.toString());
    }
  }

  /** RFC 8441: an extended CONNECT; the node answers 200 and the first message echoes. */
  private static void openWebSocket(RawH2Client client, int stream, String scheme) {
    client.headers(
        stream,
        new DefaultHttp2Headers()
            .method("CONNECT")
            .scheme(scheme)
            .authority(HOST)
            .path("/ws")
            .set(":protocol", "websocket")
            .set("sec-websocket-version", "13"),
        false);
    Frame head = client.next(WAIT);
    assertTrue(head != null && head.is(HEADERS), String.valueOf(head));
    assertEquals("200", String.valueOf(head.headers().status()), head.toString());
    client.data(stream, maskedFrame(0x1, "hello".getBytes(StandardCharsets.UTF_8)), false);
    Frame echo = client.next(WAIT);
    assertTrue(echo != null && echo.is(DATA) && echo.streamId() == stream, String.valueOf(echo));
    assertEquals("hello", new String(echo.payload(), 2, 5, StandardCharsets.UTF_8));
  }

  /** A client's WebSocket frame: FIN, the opcode, masked as RFC 6455 requires. */
  private static byte[] maskedFrame(int opcode, byte[] payload) {
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    frame.write(0x80 | payload.length);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  /** The status code of a server close frame at the start of {@code bytes}, or -1. */
  private static int closeCode(byte[] bytes) {
    if (bytes.length < 4 || (bytes[0] & 0x0F) != 0x8) {
      return -1;
    }
    return ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
  }

  /** The next frame that is not part of a stream (the drain's GOAWAY and PING frames). */
  private static Frame nextControl(RawH2Client client) {
    Frame f = client.next(WAIT);
    assertNotNull(f, "the connection closed");
    assertEquals(0, f.streamId(), f.toString());
    return f;
  }

  /** Every frame until the node closes the connection; {@code react} may answer each. */
  private static List<Frame> untilClosed(RawH2Client client, Consumer<Frame> react) {
    List<Frame> frames = new ArrayList<>();
    for (Frame f = client.next(WAIT); f != null; f = client.next(WAIT)) {
      frames.add(f);
      react.accept(f);
    }
    return frames;
  }

  private static String status(List<Frame> frames, int stream) {
    return frames.stream()
        .filter(f -> f.is(HEADERS) && f.streamId() == stream)
        .map(f -> String.valueOf(f.headers().status()))
        .findFirst()
        .orElse("no response on stream " + stream + ": " + frames);
  }

  private static byte[] dataOf(List<Frame> frames, int stream) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    frames.stream()
        .filter(f -> f.is(DATA) && f.streamId() == stream)
        .forEach(f -> bytes.writeBytes(f.payload()));
    return bytes.toByteArray();
  }

  private static String body(List<Frame> frames, int stream) {
    boolean ended = frames.stream().anyMatch(f -> f.streamId() == stream && f.endStream());
    assertTrue(ended, "stream " + stream + " did not end: " + frames);
    return new String(dataOf(frames, stream), StandardCharsets.UTF_8);
  }
}
