package dev.wharf.dataplane.http2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.H2WebSocket;
import dev.wharf.dataplane.testing.H2WsClient;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.testkit.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSockets over HTTP/2 (RFC 8441) through a real node to a real echo backend, with a Netty HTTP/2
 * client ({@link H2WsClient}), over TLS (ALPN h2) and in cleartext (h2c): the client speaks
 * extended CONNECT and sees {@code 200}, the backend sees an ordinary HTTP/1.1 upgrade.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2WebSocketTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private static TestPki pki;
  private static TestBackend backend;
  private static TestNode node;
  private static PrometheusMeterRegistry registry;
  private static String config;

  /**
   * A route the drain test removes; its WebSockets move at once (a removed route's connections
   * follow their upstream's policy).
   */
  private static final String GONE_ROUTE =
      """
          - name: gone
            match: {path: {prefix: /gone}}
            proxy:
              upstream: hasty
              rewrite: {regex: ^/gone, replacement: /ws}
        """;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir);
    TestPki.Issued cert = pki.rsa("h2ws", "h2.test");
    backend = TestBackend.start("ws");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    node =
        TestNode.builder()
            .registry(registry)
            .start(
                ports ->
                    config =
                        """
        listeners:
          - name: tls
            address: 127.0.0.1
            port: %d
            tls:
              certificates: [{certificate_file: "%s", key_file: "%s"}]
            access_log:
              path: "%s"
              encoding: json
              fields: [request, status, upstream_status]
          - name: clear
            address: 127.0.0.1
            port: %d
            http2: {cleartext: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
          - name: hasty
            endpoints: [{address: "%s"}]
            drain: {timeout: 0s, spread: 0s}
        routes:
          - name: chat
            match: {path: {prefix: /ws}}
            proxy: {upstream: app}
            request_headers:
              set:
                - {name: X-Proto, value: "$server_protocol|$http2|$scheme"}
          - name: counted
            match: {path: {prefix: /counted}}
            proxy:
              upstream: app
              rewrite: {regex: ^/counted, replacement: /ws}
          - name: quiet
            match: {path: {prefix: /quiet}}
            proxy:
              upstream: app
              rewrite: {regex: ^/quiet, replacement: /ws}
              websocket: {idle_timeout: 300ms}
          - name: small
            match: {path: {prefix: /small}}
            proxy:
              upstream: app
              rewrite: {regex: ^/small, replacement: /ws}
              websocket: {max_message_size: 1k}
          - name: plain-only
            match: {path: {prefix: /plain}}
            proxy:
              upstream: app
              rewrite: {regex: ^/plain, replacement: /ws}
              websocket: {enabled: false}
          - name: resets
            match: {path: {prefix: /resets}}
            proxy:
              upstream: app
              rewrite: {regex: ^/resets, replacement: /ws}
        """
                                .formatted(
                                    ports.next(),
                                    cert.certificate(),
                                    cert.key(),
                                    dir.resolve("tls-access.log"),
                                    ports.next(),
                                    backend.endpoint(),
                                    backend.endpoint())
                            + GONE_ROUTE);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /**
   * A request a test caused and did not expect (a duplicate, a retry) fails that test; WebSocket
   * handshakes are proved by their echoes, so they need not be taken.
   */
  @AfterEach
  void noRequestIsLeftUnchecked() {
    backend.assertNoUnconsumedRequests(r -> "websocket".equalsIgnoreCase(r.header("Upgrade")));
  }

  /** Each test looks only at the close codes it caused. */
  @BeforeEach
  void forgetEarlierCloseCodes() {
    try {
      while (true) {
        backend.takeWebSocketCloseCode(Duration.ofMillis(1));
      }
    } catch (AssertionError none) {
      // all taken
    }
  }

  private static H2WsClient client(String listener) {
    H2WsClient client =
        listener.equals("tls")
            ? H2WsClient.connectTls(node.address("tls"), "h2.test", pki.caCertificate())
            : H2WsClient.connectCleartext(node.address("clear"));
    assertTrue(client.connectProtocolEnabled(), "SETTINGS_ENABLE_CONNECT_PROTOCOL=1");
    return client;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void textBinaryFragmentsPingAndAMebibyteAreEchoed(String listener) throws Exception {
    try (H2WsClient client = client(listener)) {
      H2WebSocket ws = client.open("/ws/room");

      ws.sendText("hello");
      assertEquals("hello", ws.nextMessage(WAIT));
      ws.sendBinary(new byte[] {1, 2, 3});
      assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) ws.nextMessage(WAIT));

      // a message in two WebSocket frames, each cut into DATA frames of 3 bytes
      ws.sendSplit(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("frag", UTF8)), 3);
      ws.sendSplit(
          new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("mented", UTF8)), 3);
      assertEquals("fragmented", ws.nextMessage(WAIT));

      ws.send(new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", UTF8)));
      assertEquals("are you there", new String(ws.nextPong(WAIT), UTF8));

      byte[] big = new byte[1024 * 1024];
      new Random(7).nextBytes(big);
      ws.sendSplit(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(big)), 100_000);
      assertArrayEquals(big, (byte[]) ws.nextMessage(WAIT));

      ws.sendClose(1000);
      assertEquals(1000, ws.closeCode(WAIT));
      assertEquals(1000, backend.takeWebSocketCloseCode(WAIT));
      ws.awaitEnd(WAIT);
      assertTrue(ws.endStreamReceived(), "the node ends its side with END_STREAM");
      assertNull(ws.resetReceived());
      assertTrue(backend.allClientFramesMasked(), "RFC 6455: frames to a server are masked");
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void theBackendSeesAnHttp11UpgradeWithTheRoutesHeaders(String listener) {
    try (H2WsClient client = client(listener)) {
      H2WebSocket ws = client.open("/ws/headers?x=1");
      assertNull(ws.responseHead().get("upgrade"), "RFC 8441: no Upgrade in the 200");
      assertNull(ws.responseHead().get("sec-websocket-accept"));

      RecordedRequest seen = backend.takeRequest(WAIT);
      assertEquals("GET", seen.method());
      assertEquals("/ws/headers?x=1", seen.uri());
      assertEquals("websocket", seen.header("Upgrade").toLowerCase());
      assertEquals("upgrade", seen.header("Connection").toLowerCase());
      assertEquals("13", seen.header("Sec-WebSocket-Version"));
      assertEquals(16, Base64.getDecoder().decode(seen.header("Sec-WebSocket-Key")).length);
      String scheme = listener.equals("tls") ? "h2|https" : "h2c|http";
      assertEquals("HTTP/2.0|" + scheme, seen.header("X-Proto"));
      ws.reset();
    }
  }

  @Test
  void framesSentBeforeThe200AreRelayedAfterTheHandshakeNotAsABody() throws Exception {
    try (H2WsClient client = client("clear")) {
      H2WebSocket ws = client.openEagerly("/ws/eager", "early");

      assertEquals("early", ws.nextMessage(WAIT));
      RecordedRequest seen = backend.takeRequest(WAIT);
      assertEquals(0, seen.body().length, "the handshake has no body");
      assertNull(seen.header("Transfer-Encoding"));
      ws.sendText("later");
      assertEquals("later", ws.nextMessage(WAIT));
      ws.reset();
    }
  }

  @Test
  void aSubprotocolIsNegotiatedThroughTheNode() {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.open("/ws/sub", "chat.v2", "chat.v1");

      assertEquals("chat.v2", String.valueOf(ws.responseHead().get("sec-websocket-protocol")));
      assertEquals("chat.v2, chat.v1", backend.takeRequest(WAIT).header("Sec-WebSocket-Protocol"));
      ws.reset();
    }
  }

  @Test
  void aRefusedUpgradeReachesTheClientWithItsStatusAndTheStreamEnds() {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.request(client.webSocketHead("/ws-reject"));

      assertEquals("403", ws.status().toString());
      ws.awaitEnd(WAIT);
      assertTrue(ws.endStreamReceived());
      assertEquals("no websocket here\n", ws.body());
      assertEquals("/ws-reject", backend.takeRequest(WAIT).uri());

      assertEquals("after", echoOnce(client, "after"), "the connection stays usable");
    }
  }

  @Test
  void aRouteWithoutWebSocketsAndAnotherProtocolAre501AndTheBackendGetsNothing() {
    try (H2WsClient client = client("clear")) {
      int accepted = backend.connectionsAccepted();
      H2WebSocket plain = client.request(client.webSocketHead("/plain"));
      assertEquals("501", plain.status().toString());
      plain.awaitEnd(WAIT);

      Http2Headers other = client.webSocketHead("/ws/other");
      other.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
      H2WebSocket udp = client.request(other);
      assertEquals("501", udp.status().toString());
      udp.awaitEnd(WAIT);

      assertEquals(0, backend.pendingRequests());
      assertEquals(accepted, backend.connectionsAccepted());
      assertEquals("still", echoOnce(client, "still"));
    }
  }

  @Test
  void aBackendCloseReachesTheClientWithItsCodeAndTheStreamEnds() {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.open("/ws/close");
      ws.sendText("close:4000");

      assertEquals(4000, ws.closeCode(WAIT));
      assertEquals(4000, backend.takeWebSocketCloseCode(WAIT), "the client's answer");
      ws.awaitEnd(WAIT);
      assertTrue(ws.endStreamReceived(), "END_STREAM, not RST_STREAM");
      assertNull(ws.resetReceived());
      assertEquals("next", echoOnce(client, "next"), "the connection stays usable");
    }
  }

  @Test
  void aClientCloseReachesTheBackendWithItsCode() {
    try (H2WsClient client = client("clear")) {
      H2WebSocket ws = client.open("/ws/client-close");
      ws.sendClose(4001);

      assertEquals(4001, backend.takeWebSocketCloseCode(WAIT));
      assertEquals(4001, ws.closeCode(WAIT), "the backend's answer");
      ws.awaitEnd(WAIT);
      assertTrue(ws.endStreamReceived());
      assertEquals("next", echoOnce(client, "next"));
    }
  }

  @Test
  void aQuietWebSocketIsClosedWithGoingAwayAfterItsIdleTimeout() {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.open("/quiet");

      assertEquals(1001, ws.closeCode(WAIT), "as over HTTP/1.1");
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT));
      ws.awaitEnd(WAIT);
      assertTrue(ws.endStreamReceived());
    }
  }

  @Test
  void aMessageOverTheMaximumSizeGetsTheClient1009AndTheBackend1001() throws Exception {
    try (H2WsClient client = client("clear")) {
      H2WebSocket ws = client.open("/small");
      ws.sendText("x".repeat(1024));
      assertEquals("x".repeat(1024), ws.nextMessage(WAIT), "at the limit: relayed");

      ws.send(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("y".repeat(600), UTF8)));
      ws.send(
          new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("y".repeat(600), UTF8)));

      assertEquals(1009, ws.closeCode(WAIT));
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT));
      ws.awaitEnd(WAIT);
      assertEquals("ok", echoOnce(client, "ok"), "only the stream ended, not the connection");
    }
  }

  @Test
  void messagesOfH2WebSocketsAreCounted() throws Exception {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.open("/counted");
      for (String m : new String[] {"a", "b", "c"}) {
        ws.sendText(m);
        assertEquals(m, ws.nextMessage(WAIT));
      }
      ws.sendClose(1000);
      ws.closeCode(WAIT);
      ws.awaitEnd(WAIT);
    }
    // closing counts the messages once both sides are closed, just after the client saw the end
    Await.until(
        WAIT,
        () ->
            registry
                .scrape()
                .contains(
                    "wharf_websocket_messages_total{direction=\"from_upstream\",route=\"counted\"} 3.0"),
        registry::scrape);
    String scrape = registry.scrape();
    assertTrue(
        scrape.contains(
            "wharf_websocket_messages_total{direction=\"from_client\",route=\"counted\"} 3.0"),
        "three texts; a close is no message: " + scrape);
    assertTrue(scrape.contains("wharf_websockets_total{route=\"counted\"} 1.0"), scrape);
    // the request's status is what the client saw: 200, counted under protocol h2
    assertTrue(
        scrape.contains(
            "wharf_requests_total{listener=\"tls\",protocol=\"h2\",route=\"counted\","
                + "status=\"200\",status_class=\"2xx\"} 1.0"),
        scrape);
    Path log = dir.resolve("tls-access.log");
    Await.until(WAIT, () -> accessLogLine(log, "/counted") != null, () -> read(log));
    String line = accessLogLine(log, "/counted");
    assertTrue(line.contains("\"status\":\"200\""), line);
    assertTrue(line.contains("\"upstream_status\":\"101\""), "the backend's answer: " + line);
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String accessLogLine(Path file, String path) {
    return read(file).lines().filter(l -> l.contains(path)).findFirst().orElse(null);
  }

  @Test
  void aStalledWebSocketNeitherStarvesAnotherOnTheConnectionNorBuffersItsBackendsFlood()
      throws Exception {
    try (H2WsClient client = client("clear")) {
      H2WebSocket stalled = client.open("/ws/flood");
      stalled.stopReading();
      long flood = 128L * 1024 * 1024;
      stalled.sendText("flood:" + flood);
      Await.until(WAIT, backend::floodWaiting, () -> "the backend wrote " + backend.floodedBytes());

      H2WebSocket other = client.open("/ws/other");
      other.sendText("through");
      assertEquals("through", other.nextMessage(WAIT), "the second WebSocket still echoes");
      byte[] big = new byte[256 * 1024];
      new Random(11).nextBytes(big);
      other.sendBinary(big);
      assertArrayEquals(big, (byte[]) other.nextMessage(WAIT));

      // held back by the stalled stream's window, the socket buffers and a watermark or two
      long written = backend.floodedBytes();
      assertTrue(written < 32L * 1024 * 1024, "the backend wrote " + written + " of " + flood);

      stalled.resumeReading();
      Await.until(
          WAIT,
          () -> stalled.payloadBytesReceived() > 4L * 1024 * 1024,
          () -> "read " + stalled.payloadBytesReceived());
      stalled.reset();
      other.reset();
    }
  }

  @Test
  void aDrainGivesTheH2WebSocketGoingAwayAtAFrameBoundary() throws Exception {
    try (H2WsClient client = client("tls")) {
      H2WebSocket ws = client.open("/gone");
      ws.sendText("before");
      assertEquals("before", ws.nextMessage(WAIT));
      ws.holdCloseAnswer();
      byte[] payload = new byte[10_000];
      new Random(3).nextBytes(payload);
      ws.sendPrefix(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)), 5_000);

      node.apply(config.replace(GONE_ROUTE, ""));
      try {
        assertEquals(1001, ws.closeCode(WAIT), "the stream to the client is at a boundary");
        ws.sendRest();
        ws.sendClose(1001);
        ws.endStream();

        assertEquals(1001, backend.takeWebSocketCloseCode(WAIT), "after the whole frame: no 1002");
        assertTrue(backend.allClientFramesMasked());
        ws.awaitEnd(WAIT);
        assertTrue(ws.endStreamReceived());
        assertEquals("on", echoOnce(client, "on"), "the connection stays usable");
      } finally {
        node.apply(config);
      }
    }
  }

  @Test
  void aClientResetClosesTheBackendConnection() throws Exception {
    try (H2WsClient client = client("clear")) {
      H2WebSocket ws = client.open("/resets");
      ws.sendText("x");
      assertEquals("x", ws.nextMessage(WAIT));
      int open = backend.openConnections();

      ws.reset();

      Await.until(
          WAIT,
          () -> backend.openConnections() < open,
          () -> backend.openConnections() + " backend connections open");
      Await.until(
          WAIT,
          () ->
              registry
                  .scrape()
                  .contains(
                      "wharf_websocket_closes_total{closed_by=\"client\",code=\"1006\",route=\"resets\"} 1.0"),
          registry::scrape);
      assertEquals("y", echoOnce(client, "y"), "the connection stays usable");
    }
  }

  /** Opens a WebSocket on {@code client}, echoes {@code text} once, and resets the stream. */
  private static String echoOnce(H2WsClient client, String text) {
    H2WebSocket ws = client.open("/ws/echo-once");
    try {
      ws.sendText(text);
      return (String) ws.nextMessage(WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      ws.reset();
    }
  }
}
