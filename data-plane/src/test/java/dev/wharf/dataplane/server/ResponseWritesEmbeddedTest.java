package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static dev.wharf.dataplane.server.ProxyExchangeTest.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exact bytes a client gets for a proxied response, whether its head and body came in one read
 * of the endpoint or in several: a small body, a longer one, a body still coming, a chunked one, a
 * HEAD, a 204 and a 304, an endpoint's error with and without {@code intercept_errors}; and that
 * the connection then serves its next request (or closes when one side asked). The real client and
 * upstream pipelines on embedded channels ({@link EmbeddedProxyNode}).
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

  /** What was written to the client since the last call, as text. */
  private String buffers() {
    return written(client);
  }

  /** Sends {@code request}, answers it with {@code response} in one read of the endpoint. */
  private String exchange(String request, String response) {
    send(client, request);
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    answer(upstream, response);
    return buffers();
  }

  /** The connection is kept: a next request is proxied and answered on it. */
  private void servesTheNextRequest() {
    assertTrue(client.isActive(), "kept alive");
    String next =
        exchange(
            "GET /next HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
    assertEquals(
        ("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nserver: wharf\r\n" + DATE + "\r\nnext"), next);
  }

  @Test
  void aSmallResponseThatCameInOneReadIsRelayedExactly() {
    String out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n");
    assertEquals(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nserver: wharf\r\n"
            + DATE
            + "\r\nhello\n"),
        out);
    servesTheNextRequest();
  }

  @Test
  void aKibibyteBodyThatCameInOneReadIsRelayedExactly() {
    String body = "x".repeat(1024);
    String out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n" + body);
    assertEquals(
        "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\nserver: wharf\r\n" + DATE + "\r\n" + body, out);
    servesTheNextRequest();
  }

  @Test
  void aHeadWhoseBodyIsStillComingLeavesAtTheEndOfItsRead() {
    send(client, "GET /slow HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
    assertEquals(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nserver: wharf\r\n" + DATE + "\r\nab",
        buffers(),
        "the head and the first part, flushed at the end of the read");
    answer(upstream, "");
    assertEquals("", buffers(), "an empty read sends nothing");
    answer(upstream, "cde");
    assertEquals("cde", buffers());
    servesTheNextRequest();
  }

  @Test
  void aHeadAloneInItsReadIsFlushedWithoutWaitingForTheBody() {
    send(client, "GET /poll HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    answer(upstream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertEquals(
        ("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nserver: wharf\r\n" + DATE + "\r\n"),
        buffers());
    answer(upstream, "2\r\nok\r\n0\r\n\r\n");
    assertEquals("2\r\nok\r\n0\r\n\r\n", buffers());
    servesTheNextRequest();
  }

  @Test
  void aChunkedResponseInOneReadKeepsItsChunks() {
    String out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    assertEquals(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nserver: wharf\r\n"
            + DATE
            + "\r\n2\r\nok\r\n0\r\n\r\n",
        out);
    servesTheNextRequest();
  }

  @Test
  void aHeadRequestGetsTheHeadAlone() {
    String out =
        exchange(
            "HEAD /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    assertEquals(
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nserver: wharf\r\n" + DATE + "\r\n"), out);
    servesTheNextRequest();
  }

  @Test
  void a204AndA304HaveNoBodyAndKeepTheConnection() {
    assertEquals(
        ("HTTP/1.1 204 No Content\r\nserver: wharf\r\n" + DATE + "\r\n"),
        exchange(
            "DELETE /a HTTP/1.1\r\nHost: example.test\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"));
    assertEquals(
        ("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nserver: wharf\r\n" + DATE + "\r\n"),
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n"));
    servesTheNextRequest();
  }

  @Test
  void anEndpointThatClosesItsConnectionStillHasItsWholeResponseRelayedAndTheClientKept() {
    String out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    assertEquals(
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nserver: wharf\r\n" + DATE + "\r\nok"), out);
    assertFalse(node.upstreams.last().isActive(), "the endpoint's connection is not pooled");
    servesTheNextRequest();
  }

  @Test
  void aClientThatAsksToCloseGetsTheWholeResponseThenTheClose() {
    String out =
        exchange(
            "GET /a HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertEquals(
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nserver: wharf\r\n"
            + DATE
            + "connection: close\r\n\r\nok"),
        out);
    assertFalse(client.isActive(), "closed after the response");
  }

  @Test
  void anEndpointsWholeErrorIsRelayedUnlessTheRouteInterceptsErrors() {
    String relayed =
        exchange(
            "GET /relayed/x HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nits own\r\n");
    assertEquals(
        ("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nserver: wharf\r\n"
            + DATE
            + "\r\nits own\r\n"),
        relayed,
        "an endpoint's response is not the node's own: no page without intercept_errors");

    String intercepted =
        (exchange(
            "GET /intercepted/x HTTP/1.1\r\nHost: example.test\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nits own\r\n"));
    assertTrue(
        intercepted.startsWith("HTTP/1.1 404 Not Found\r\n") && intercepted.endsWith("the page"),
        intercepted);
    servesTheNextRequest();
  }
}
