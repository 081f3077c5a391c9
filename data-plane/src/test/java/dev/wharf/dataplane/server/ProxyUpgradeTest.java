package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static dev.wharf.dataplane.server.ProxyExchangeTest.answer;
import static dev.wharf.dataplane.server.ProxyExchangeTest.statusLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http.GoAway;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.websocket.WebSocketRelay;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A proxied WebSocket handshake on embedded channels, as {@link ProxyExchangeTest} runs plain
 * requests: what the client gets when the endpoint accepts, refuses, or switches unasked, and what
 * both pipelines become.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyUpgradeTest {
  private static final String WS_HANDSHAKE =
      "GET /solo/chat HTTP/1.1\r\nHost: example.test\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  private static final String WS_UPSTREAM_HEAD =
      "GET /solo/chat HTTP/1.1\r\n"
          + "Host: example.test\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n";
  private static final String SWITCHING =
      "HTTP/1.1 101 Switching Protocols\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

  private final EmbeddedProxyNode node = new EmbeddedProxyNode(ProxyExchangeTest.CONFIG);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  @Test
  void anAcceptedUpgradeSwitchesBothPipelinesToTheRelay() {
    send(client, WS_HANDSHAKE);
    EmbeddedChannel upstream = node.upstreams.last();
    assertEquals(WS_UPSTREAM_HEAD, written(upstream));

    answer(upstream, SWITCHING);

    String response = written(client);
    assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(response));
    assertTrue(response.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assertTrue(response.toLowerCase().contains("\r\nupgrade: websocket\r\n"), response);
    ChannelPipeline c = client.pipeline();
    assertNotNull(c.get(WebSocketRelay.HANDLER));
    assertNull(c.get(HttpFrontendInitializer.HTTP_CODEC));
    assertNull(c.get(HttpFrontendInitializer.DISPATCHER));
    assertNotNull(upstream.pipeline().get(WebSocketRelay.HANDLER));
    assertNull(upstream.pipeline().get(UpstreamHttpPipeline.HTTP_CODEC));

    byte[] masked = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    client.writeInbound(Unpooled.wrappedBuffer(masked));
    assertEquals(
        new String(masked, StandardCharsets.ISO_8859_1),
        written(upstream),
        "frames are relayed as they are");
  }

  @Test
  void anUpgradeAcceptedAfterTheNodeBeganToDrainIsClosedWith1001AtOnce() {
    send(client, WS_HANDSHAKE);
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    client.pipeline().fireUserEventTriggered(GoAway.INSTANCE);

    answer(upstream, SWITCHING);

    String response = written(client);
    assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(response));
    assertTrue(
        response.endsWith("\r\n\r\n\u0088\u0002\u0003\u00e9"),
        "a close frame 1001 right after the 101");
  }

  static Stream<Arguments> refusedUpgrades() {
    return Stream.of(
        Arguments.of(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno",
            "HTTP/1.1 403 Forbidden",
            "no"),
        Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 200 OK", "ok"));
  }

  @ParameterizedTest
  @MethodSource("refusedUpgrades")
  void anUpgradeTheEndpointRefusesIsRelayedAsAnOrdinaryResponse(
      String answer, String status, String body) {
    send(client, WS_HANDSHAKE);
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, answer);

    String response = written(client);
    assertEquals(status, statusLine(response));
    assertTrue(response.endsWith("\r\n\r\n" + body), response);
    assertNotNull(client.pipeline().get(HttpFrontendInitializer.HTTP_CODEC), "still HTTP");
    assertNull(client.pipeline().get(WebSocketRelay.HANDLER));
    assertTrue(client.isActive());
  }

  @Test
  void aSwitchTheRequestDidNotAskForIsA502() {
    send(client, "GET /solo/plain HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, SWITCHING);

    assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(written(client)));
    assertNotNull(client.pipeline().get(HttpFrontendInitializer.HTTP_CODEC));
    assertFalse(upstream.isActive());
  }
}
