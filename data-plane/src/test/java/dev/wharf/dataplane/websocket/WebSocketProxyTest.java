package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WebSockets through a real node to a real echo backend, with the JDK's WebSocket client. */
@ExtendWith(NettyLeakExtension.class)
class WebSocketProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static TestBackend backend;
  private static TestNode node;
  private static PrometheusMeterRegistry registry;
  private static int port;
  private static String config;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("ws");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // config keeps the port it was written with, for the tests that apply it again
    node =
        TestNode.builder()
            .registry(registry)
            .start(
                ports ->
                    config =
                        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: chat
            match: {path: {prefix: /ws}}
            proxy: {upstream: app}
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
        """
                            .formatted(ports.next(), backend.endpoint()));
    port = node.address("web").getPort();
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
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

  private static URI ws(String path) {
    return node.wsUri("web", path);
  }

  @Test
  void textBinaryFragmentsPingAndAMebibyteAreEchoed() throws Exception {
    try (WsClient client = WsClient.connect(ws("/ws/room"))) {
      client.send(s -> s.sendText("hello", true));
      assertEquals("hello", client.nextMessage(WAIT));

      client.send(s -> s.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true));
      assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) client.nextMessage(WAIT));

      client.send(s -> s.sendText("frag", false));
      client.send(s -> s.sendText("mented", true));
      assertEquals("fragmented", client.nextMessage(WAIT));

      client.send(
          s -> s.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))));
      assertEquals(
          "are you there", StandardCharsets.UTF_8.decode(client.nextPong(WAIT)).toString());

      byte[] big = new byte[1024 * 1024];
      new Random(7).nextBytes(big);
      client.send(s -> s.sendBinary(ByteBuffer.wrap(big), true));
      assertArrayEquals(big, (byte[]) client.nextMessage(WAIT));

      client.send(s -> s.sendClose(1000, "done"));
      assertEquals(1000, client.closeCode().get(10, TimeUnit.SECONDS));
      assertEquals(1000, backend.takeWebSocketCloseCode(WAIT));
    }
  }

  @Test
  void aConfigChangeLeavesAnOpenWebSocketAlone() throws Exception {
    try (WsClient client = WsClient.connect(ws("/ws/stays"))) {
      client.send(s -> s.sendText("one", true));
      assertEquals("one", client.nextMessage(WAIT));
      int accepted = backend.connectionsAccepted();

      node.apply(
          config
              + """
            - name: added
              match: {path: {exact: /new}}
              respond: {body: new}
          """);
      client.send(s -> s.sendText("two", true));

      assertEquals("two", client.nextMessage(WAIT));
      assertEquals(accepted, backend.connectionsAccepted(), "the same upstream connection");
    } finally {
      node.apply(config);
    }
  }

  @Test
  void theUpgradeReachesTheBackendWithUpgradeHeaders() {
    try (WsClient client = WsClient.connect(ws("/ws/headers"))) {
      RecordedRequest seen = backend.takeRequest(WAIT);
      assertEquals("websocket", seen.header("Upgrade").toLowerCase());
      assertEquals("upgrade", seen.header("Connection").toLowerCase());
      assertEquals("13", seen.header("Sec-WebSocket-Version"));
    }
  }

  @Test
  void aBackendCloseReachesTheClientWithItsCode() throws Exception {
    try (WsClient client = WsClient.connect(ws("/ws/close"))) {
      client.send(s -> s.sendText("close:4000", true));

      assertEquals(4000, client.closeCode().get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void goAwaySendsGoingAwayToBothSidesMaskedTowardsTheBackend() throws Exception {
    try (WsClient client = WsClient.connect(ws("/ws/drain"))) {
      client.send(s -> s.sendText("before", true));
      assertEquals("before", client.nextMessage(WAIT));

      node.node().goAway(Duration.ofSeconds(5));

      assertEquals(1001, client.closeCode().get(10, TimeUnit.SECONDS));
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT));
      assertTrue(backend.allClientFramesMasked(), "RFC 6455: frames to a server are masked");
      // The relay counts the close once both sockets are closed, just after the client saw it.
      Await.until(
          WAIT,
          () ->
              registry
                  .scrape()
                  .contains(
                      "wharf_websocket_closes_total{closed_by=\"proxy\",code=\"1001\",route=\"chat\"}"),
          registry::scrape);
    }
  }

  @Test
  void aMessageOverTheMaximumSizeGetsTheClient1009AndTheBackend1001() throws Exception {
    try (WsClient client = WsClient.connect(ws("/small"))) {
      client.send(s -> s.sendText("x".repeat(1024), true));
      assertEquals("x".repeat(1024), client.nextMessage(WAIT), "at the limit: relayed");

      client.send(s -> s.sendText("y".repeat(600), false));
      client.send(s -> s.sendText("y".repeat(600), true));

      assertEquals(1009, client.closeCode().get(10, TimeUnit.SECONDS));
      assertEquals(1001, backend.takeWebSocketCloseCode(WAIT));
      Await.until(
          WAIT,
          () ->
              registry
                  .scrape()
                  .contains(
                      "wharf_websocket_closes_total{closed_by=\"proxy\",code=\"1009\",route=\"small\"}"),
          registry::scrape);
    }
  }

  @Test
  void aQuietWebSocketIsClosedWithGoingAwayAfterItsIdleTimeout() throws Exception {
    long connecting = System.nanoTime(); // before the timer can start: the bound below is exact
    try (WsClient client = WsClient.connect(ws("/quiet"))) {
      assertEquals(1001, client.closeCode().get(10, TimeUnit.SECONDS));
      // After the 300 ms idle timeout, not at once (a lower bound does not flake under load). The
      // exact bound, and messages either way resetting it: IdleTimersEmbeddedTest, in ticker time.
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connecting);
      assertTrue(millis >= 290, "closed " + millis + " ms after connecting");
    }
  }

  @Test
  void aRefusedUpgradeIsRelayedAsANormalResponse() {
    CompletionException e =
        assertThrows(CompletionException.class, () -> WsClient.connect(ws("/ws-reject")));

    assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
    assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
  }

  @Test
  void aBrokenHandshakeIs400AndNeverReachesTheBackend() throws Exception {
    int before = backend.pendingRequests();
    try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
      RawHttp.Response r =
          http.exchange(
              "GET /ws/x HTTP/1.1\r\nHost: a\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertEquals(400, r.status());
    }
    try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
      RawHttp.Response r =
          http.exchange(
              "GET /ws/x HTTP/1.1\r\nHost: a\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      assertEquals(426, r.status());
      assertEquals("13", r.headers().get("sec-websocket-version"));
    }
    assertEquals(before, backend.pendingRequests());
  }

  @Test
  void onARouteWithoutWebSocketsTheUpgradeIsDroppedAndTheRequestIsPlain() throws Exception {
    try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
      RawHttp.Response r =
          http.exchange(
              "GET /plain HTTP/1.1\r\nHost: a\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

      RecordedRequest seen = backend.takeRequest(WAIT);
      assertEquals(400, r.status(), "the backend refuses a plain request on its WebSocket path");
      assertNull(seen.header("Upgrade"));
    }
  }
}
