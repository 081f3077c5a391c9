package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static dev.wharf.dataplane.server.ProxyExchangeTest.answer;
import static dev.wharf.dataplane.server.ProxyExchangeTest.statusLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The keep-alive and WebSocket idle timers on the real client pipeline, in ticker time: nothing
 * closes a nanosecond before the timeout, the close comes at it, and traffic pushes it out (a
 * request between two responses; a WebSocket message in either direction). The end-to-end tests
 * ({@code ClientLimitsEndToEndTest}, {@code WebSocketProxyTest}) show the same through sockets,
 * with bounds loose enough for a loaded machine; these are exact because time is a mock ticker.
 */
@ExtendWith(NettyLeakExtension.class)
class IdleTimersEmbeddedTest {
  private static final Duration KEEPALIVE = Duration.ofSeconds(10);
  private static final Duration WS_IDLE = Duration.ofSeconds(20);
  private static final String CONFIG =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: 8080, keepalive_timeout: 10s}
      upstreams:
        - name: solo
          endpoints: [{address: "10.0.0.3:80"}]
      routes:
        - name: chat
          match: {path: {prefix: /chat}}
          proxy: {upstream: solo, websocket: {idle_timeout: 20s}}
        - name: hello
          match: {path: {prefix: /}}
          respond: {body: "hi"}
      """;
  private static final String GET = "GET /hello HTTP/1.1\r\nHost: example.test\r\n\r\n";
  private static final String WS_HANDSHAKE =
      "GET /chat HTTP/1.1\r\nHost: example.test\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  private static final String SWITCHING =
      "HTTP/1.1 101 Switching Protocols\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

  /** A close frame with code 1001 (Going Away), as the server sends it: unmasked. */
  private static final String CLOSE_1001 = "\u0088\u0002\u0003\u00e9";

  private final EmbeddedProxyNode node = new EmbeddedProxyNode(CONFIG);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  /** Moves the node's time on by {@code d} and runs the timers that became due. */
  private void advance(Duration d, EmbeddedChannel... channels) {
    node.ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
    for (EmbeddedChannel ch : channels) {
      ch.runScheduledPendingTasks();
      ch.runPendingTasks();
    }
  }

  private void exchange() {
    send(client, GET);
    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertTrue(response.endsWith("hi"), response);
  }

  @Test
  void anIdleKeepAliveConnectionIsOpenJustBeforeTheTimeoutAndClosedAtIt() {
    exchange();

    advance(KEEPALIVE.minusNanos(1), client);
    assertTrue(client.isActive(), "closed before keepalive_timeout");

    advance(Duration.ofNanos(1), client);
    assertFalse(client.isActive(), "still open at keepalive_timeout");
    assertEquals("", written(client), "nginx closes an idle connection without a word");
  }

  @Test
  void aRequestBeforeTheKeepAliveTimeoutPushesTheCloseOut() {
    exchange();
    advance(KEEPALIVE.multipliedBy(6).dividedBy(10), client);

    exchange(); // in the middle of the first idle period: it starts again after this response
    advance(KEEPALIVE.multipliedBy(6).dividedBy(10), client);
    assertTrue(client.isActive(), "closed by the first idle period's timer");

    advance(KEEPALIVE.multipliedBy(4).dividedBy(10).minusNanos(1), client);
    assertTrue(client.isActive(), "closed before keepalive_timeout after the second response");
    advance(Duration.ofNanos(1), client);
    assertFalse(client.isActive(), "still open keepalive_timeout after the second response");
  }

  /** A relayed WebSocket through the real pipelines: the client and the endpoint's channel. */
  private EmbeddedChannel openWebSocket() {
    send(client, WS_HANDSHAKE);
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    answer(upstream, SWITCHING);
    assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(written(client)));
    return upstream;
  }

  private static void assertNoClose(EmbeddedChannel client, EmbeddedChannel upstream, String when) {
    assertEquals("", written(client), "a frame to the client " + when);
    assertEquals("", written(upstream), "a frame to the endpoint " + when);
    assertTrue(client.isActive() && upstream.isActive(), "a side closed " + when);
  }

  private static void assertClosedWithGoingAway(EmbeddedChannel client, EmbeddedChannel upstream) {
    assertEquals(CLOSE_1001, written(client), "the client gets 1001 at the idle timeout");
    String toEndpoint = written(upstream);
    // A client's frames are masked: FIN + close, masked length 2, a 4-byte key, the masked code.
    assertEquals(8, toEndpoint.length(), "a close frame to the endpoint: " + toEndpoint);
    assertEquals("\u0088\u0082", toEndpoint.substring(0, 2));
  }

  @Test
  void aQuietWebSocketIsOpenJustBeforeItsIdleTimeoutAndGetsGoingAwayAtIt() {
    EmbeddedChannel upstream = openWebSocket();

    advance(WS_IDLE.minusNanos(1), client, upstream);
    assertNoClose(client, upstream, "before idle_timeout");

    advance(Duration.ofNanos(1), client, upstream);
    assertClosedWithGoingAway(client, upstream);
  }

  @Test
  void aMessageFromTheClientPushesTheIdleCloseOut() {
    EmbeddedChannel upstream = openWebSocket();
    advance(WS_IDLE.multipliedBy(6).dividedBy(10), client, upstream);

    byte[] masked = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    client.writeInbound(EmbeddedProxyNode.bytes(new String(masked, StandardCharsets.ISO_8859_1)));
    client.runPendingTasks();
    assertEquals(new String(masked, StandardCharsets.ISO_8859_1), written(upstream), "relayed");
    advance(WS_IDLE.multipliedBy(6).dividedBy(10), client, upstream);
    assertNoClose(client, upstream, "idle_timeout after the upgrade, with a message since");

    advance(WS_IDLE.multipliedBy(4).dividedBy(10).minusNanos(1), client, upstream);
    assertNoClose(client, upstream, "before idle_timeout after the message");
    advance(Duration.ofNanos(1), client, upstream);
    assertClosedWithGoingAway(client, upstream);
  }

  @Test
  void aMessageFromTheEndpointPushesTheIdleCloseOut() {
    EmbeddedChannel upstream = openWebSocket();
    advance(WS_IDLE.multipliedBy(6).dividedBy(10), client, upstream);

    answer(upstream, "\u0081\u0002yo");
    assertEquals("\u0081\u0002yo", written(client), "relayed");
    advance(WS_IDLE.multipliedBy(6).dividedBy(10), client, upstream);
    assertNoClose(client, upstream, "idle_timeout after the upgrade, with a message since");

    advance(WS_IDLE.multipliedBy(4).dividedBy(10).minusNanos(1), client, upstream);
    assertNoClose(client, upstream, "before idle_timeout after the message");
    advance(Duration.ofNanos(1), client, upstream);
    assertClosedWithGoingAway(client, upstream);
  }
}
