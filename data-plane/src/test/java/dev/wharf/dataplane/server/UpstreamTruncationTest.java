package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An endpoint that closes its connection before the body it announced is over. The client must
 * never get a response that looks complete: what came is relayed, then its connection is closed
 * without the end of the body (no missing Content-Length bytes made up, no {@code 0\r\n\r\n}), as
 * nginx closes the client connection. On embedded channels through the real pipelines; {@link
 * UpstreamTruncationEndToEndTest} does the same over sockets.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamTruncationTest {
  private final EmbeddedProxyNode node = new EmbeddedProxyNode(RequestFramingEmbeddedTest.CONFIG);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  static Stream<Arguments> truncatedBodies() {
    String fifty = "x".repeat(50);
    return Stream.of(
        // what the endpoint sends before it closes; the client's framing header and body
        Arguments.of(
            "Content-Length 100, 50 sent",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + fifty,
            "content-length: 100",
            fifty),
        Arguments.of(
            "chunked, cut in the middle of a chunk",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + fifty,
            "transfer-encoding: chunked",
            "32\r\n" + fifty + "\r\n"),
        Arguments.of(
            "chunked, cut between two chunks",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + fifty + "\r\n",
            "transfer-encoding: chunked",
            "32\r\n" + fifty + "\r\n"),
        Arguments.of(
            "chunked, cut in a chunk-size line",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + fifty + "\r\n6",
            "transfer-encoding: chunked",
            "32\r\n" + fifty + "\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncatedBodies")
  void aBodyTheEndpointCutsOffIsRelayedAsFarAsItCameAndTheClientClosed(
      String name, String sent, String framing, String clientBody) {
    send(client, "GET /file HTTP/1.1\r\nHost: a\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    ProxyExchangeTest.answer(upstream, sent);
    upstream.close();
    upstream.runPendingTasks();
    client.runPendingTasks();

    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", ProxyExchangeTest.statusLine(response));
    int headEnd = response.indexOf("\r\n\r\n");
    assertTrue(response.substring(0, headEnd).toLowerCase(Locale.ROOT).contains(framing), response);
    assertEquals(clientBody, response.substring(headEnd + 4), "as far as it came, no last chunk");
    assertFalse(client.isActive(), "closing is how the client learns the body is incomplete");
  }

  @Test
  void aBodyWithoutLengthEndsWithTheEndpointsCloseAndIsComplete() {
    send(client, "GET /file HTTP/1.1\r\nHost: a\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    ProxyExchangeTest.answer(upstream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
    upstream.close();
    upstream.runPendingTasks();
    client.runPendingTasks();

    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", ProxyExchangeTest.statusLine(response));
    assertTrue(response.endsWith("\r\n\r\n9\r\nall of it\r\n0\r\n\r\n"), response);
    assertTrue(client.isActive(), "a body delimited by the close is whole: the client stays");
  }
}
