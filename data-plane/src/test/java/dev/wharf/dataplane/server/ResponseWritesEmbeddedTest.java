package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static dev.wharf.dataplane.server.ProxyExchangeTest.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a proxied response leaves for the client: a small response whose head and body came in one
 * read of the endpoint goes out as one buffer (one write to the socket, one TLS record without a
 * copy to join them); a longer body, a body still coming and a chunked one stream as before. The
 * exact bytes the client gets, the buffers they come in, and that the connection serves its next
 * request. The real client and upstream pipelines on embedded channels ({@link EmbeddedProxyNode}).
 */
@ExtendWith(NettyLeakExtension.class)
class ResponseWritesEmbeddedTest {
  private static final String DATE = "date: Wed, 01 May 2024 12:00:00 GMT\r\n";
  private final EmbeddedProxyNode node =
      new EmbeddedProxyNode(
          """
          listeners:
            - {name: web, address: 127.0.0.1, port: 8080}
          upstreams:
            - name: solo
              endpoints: [{address: "10.0.0.3:80"}]
          routes:
            - name: relayed
              match: {path: {prefix: /relayed/}}
              proxy: {upstream: solo}
              error_pages: [{codes: [404], target: /page}]
            - name: intercepted
              match: {path: {prefix: /intercepted/}}
              proxy: {upstream: solo}
              intercept_errors: true
              error_pages: [{codes: [404], target: /page}]
            - name: page
              match: {path: {exact: /page}}
              respond: {status: 200, body: "the page"}
            - name: api
              match: {path: {prefix: /}}
              proxy: {upstream: solo}
          """);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  /** The non-empty buffers written to the client since the last call, each as text. */
  private List<String> buffers() {
    client.runPendingTasks();
    List<String> out = new ArrayList<>();
    for (Object o = client.readOutbound(); o != null; o = client.readOutbound()) {
      if (o instanceof ByteBuf b && b.isReadable()) {
        out.add(b.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(o);
    }
    return out;
  }

  /** Sends {@code request}, answers it with {@code response} in one read of the endpoint. */
  private List<String> exchange(String request, String response) {
    send(client, request);
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    answer(upstream, response);
    return buffers();
  }

  /** The connection is kept: a next request is proxied and answered on it. */
  private void servesTheNextRequest() {
    assertTrue(client.isActive(), "kept alive");
    List<String> next =
        exchange(
            "GET /next HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
    assertEquals(
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nserver: wharf\r\n" + DATE + "\r\nnext"),
        next);
  }

  @Test
  void aSmallResponseThatCameInOneReadLeavesAsOneBuffer() {
    List<String> out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n");
    assertEquals(
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nserver: wharf\r\n"
                + DATE
                + "\r\nhello\n"),
        out);
    servesTheNextRequest();
  }

  @Test
  void aBodyLongerThanTheLimitFollowsItsHeadAsASecondBuffer() {
    String body = "x".repeat(1024);
    List<String> out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n" + body);
    assertEquals(
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\nserver: wharf\r\n" + DATE + "\r\n", body),
        out);
    servesTheNextRequest();
  }

  @Test
  void aHeadWhoseBodyIsStillComingLeavesAtTheEndOfItsRead() {
    send(client, "GET /slow HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
    assertEquals(
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nserver: wharf\r\n" + DATE + "\r\n", "ab"),
        buffers(),
        "the head and the first part, flushed at the end of the read");
    answer(upstream, "");
    assertEquals(List.of(), buffers(), "an empty read sends nothing");
    answer(upstream, "cde");
    assertEquals(List.of("cde"), buffers());
    servesTheNextRequest();
  }

  @Test
  void aHeadAloneInItsReadIsFlushedWithoutWaitingForTheBody() {
    send(client, "GET /poll HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertEquals(
        List.of(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nserver: wharf\r\n" + DATE + "\r\n"),
        buffers());
    answer(upstream, "2\r\nok\r\n0\r\n\r\n");
    assertEquals("2\r\nok\r\n0\r\n\r\n", String.join("", buffers()));
    servesTheNextRequest();
  }

  @Test
  void aChunkedResponseInOneReadKeepsItsChunks() {
    List<String> out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    assertEquals(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nserver: wharf\r\n"
            + DATE
            + "\r\n2\r\nok\r\n0\r\n\r\n",
        String.join("", out));
    servesTheNextRequest();
  }

  @Test
  void aHeadRequestGetsTheHeadAloneInOneBuffer() {
    List<String> out =
        exchange(
            "HEAD /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    assertEquals(
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nserver: wharf\r\n" + DATE + "\r\n"), out);
    servesTheNextRequest();
  }

  @Test
  void a204AndA304LeaveAsOneBufferAndKeepTheConnection() {
    assertEquals(
        List.of("HTTP/1.1 204 No Content\r\nserver: wharf\r\n" + DATE + "\r\n"),
        exchange(
            "DELETE /a HTTP/1.1\r\nHost: example.test\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"));
    assertEquals(
        List.of("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nserver: wharf\r\n" + DATE + "\r\n"),
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n"));
    servesTheNextRequest();
  }

  @Test
  void anEndpointThatClosesItsConnectionStillHasItsWholeResponseRelayedAndTheClientKept() {
    List<String> out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    assertEquals(
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nserver: wharf\r\n" + DATE + "\r\nok"),
        out);
    assertFalse(node.upstreams.last().isActive(), "the endpoint's connection is not pooled");
    servesTheNextRequest();
  }

  @Test
  void aClientThatAsksToCloseGetsTheWholeResponseThenTheClose() {
    List<String> out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertEquals(
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nserver: wharf\r\n"
                + DATE
                + "connection: close\r\n\r\nok"),
        out);
    assertFalse(client.isActive(), "closed after the response");
  }

  @Test
  void anEndpointsWholeErrorIsRelayedUnlessTheRouteInterceptsErrors() {
    List<String> relayed =
        exchange(
            "GET /relayed/x HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nits own\r\n");
    assertEquals(
        List.of(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nserver: wharf\r\n"
                + DATE
                + "\r\nits own\r\n"),
        relayed,
        "an endpoint's response is not the node's own: no page without intercept_errors");

    String intercepted =
        String.join(
            "",
            exchange(
                "GET /intercepted/x HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nits own\r\n"));
    assertTrue(
        intercepted.startsWith("HTTP/1.1 404 Not Found\r\n") && intercepted.endsWith("the page"),
        intercepted);
    servesTheNextRequest();
  }
}
