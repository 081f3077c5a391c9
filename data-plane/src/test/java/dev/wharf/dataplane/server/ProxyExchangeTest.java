package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.config.v1.Config;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A proxied request through the real client pipeline (dispatcher included) and the real upstream
 * pipeline, on embedded channels: the bytes a client receives, whether its connection closes, and
 * the exact bytes each endpoint gets, at every turn of the exchange. WebSocket handshakes are in
 * {@link ProxyUpgradeTest}.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyExchangeTest {
  private static final String A = "10.0.0.1:80";
  private static final String B = "10.0.0.2:80";
  private static final String SOLO = "10.0.0.3:80";
  static final String CONFIG =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: 8080}
      upstreams:
        - name: pair
          endpoints: [{address: "10.0.0.1:80"}, {address: "10.0.0.2:80"}]
        - name: solo
          endpoints: [{address: "10.0.0.3:80"}]
      routes:
        - name: small
          match: {path: {prefix: /small/}}
          proxy: {upstream: solo}
          max_body_size: 1k
        - name: solo
          match: {path: {prefix: /solo/}}
          proxy: {upstream: solo}
        - name: pair
          match: {path: {prefix: /}}
          proxy: {upstream: pair}
      """;
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  private EmbeddedProxyNode node = new EmbeddedProxyNode(CONFIG);
  private EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  static void answer(EmbeddedChannel upstream, String raw) {
    upstream.writeInbound(EmbeddedProxyNode.bytes(raw));
    upstream.runPendingTasks();
  }

  static String statusLine(String response) {
    int end = response.indexOf("\r\n");
    return end < 0 ? response : response.substring(0, end);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  // ---- retries --------------------------------------------------------------------------------

  /** How an endpoint fails after it got the head and before it answered. */
  enum Failure {
    RESET(up -> up.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"))),
    CLOSE(EmbeddedChannel::close),
    /** A status line that is not HTTP: the decoder makes one whole failed response of it. */
    GARBAGE(up -> answer(up, "SSH-2.0-OpenSSH_9.6\r\n\r\n"));

    final Consumer<EmbeddedChannel> inflict;

    Failure(Consumer<EmbeddedChannel> inflict) {
      this.inflict = inflict;
    }
  }

  static Stream<Arguments> failuresBeforeTheFirstResponseByte() {
    return Stream.of(Failure.values()).map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("failuresBeforeTheFirstResponseByte")
  void anIdempotentRequestGoesToTheNextEndpointWhenTheFirstFailsBeforeAnswering(Failure failure) {
    String request = "GET /items?page=2 HTTP/1.1\r\nHost: example.test\r\n\r\n";
    send(client, request);
    EmbeddedChannel first = node.upstreams.last();
    assertEquals(request, written(first));

    failure.inflict.accept(first);
    first.runPendingTasks();
    client.runPendingTasks();

    assertEquals(List.of(A, B), node.upstreams.connects());
    EmbeddedChannel second = node.upstreams.last();
    assertEquals(request, written(second), "the same bytes go to the next endpoint");
    assertEquals("", written(client), "nothing reaches the client before the answer");
    answer(second, OK);
    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertEquals(1, count(response, "HTTP/1.1"), "one response, not an error and then one");
    assertTrue(response.endsWith("\r\n\r\nok"));
    assertTrue(client.isActive());
  }

  @Test
  void aBodyPartThatArrivesBetweenTwoAttemptsGoesToTheNextEndpoint() {
    String head = "PUT /items/7 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\n";
    send(client, head);
    EmbeddedChannel first = node.upstreams.last();
    assertEquals(head, written(first));
    node.upstreams.deferConnects();

    first.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    first.runPendingTasks();
    send(client, "hello"); // read for the first attempt, arrives while the next one connects
    node.upstreams.completeConnects();

    EmbeddedChannel second = node.upstreams.last();
    assertEquals(head + "hello", written(second), "the whole request, body included");
    answer(second, OK);
    assertEquals("HTTP/1.1 200 OK", statusLine(written(client)));
  }

  @Test
  void aBodyPartKeptBetweenAttemptsIsReleasedWhenTheClientLeaves() {
    send(client, "PUT /items/7 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\n");
    EmbeddedChannel first = node.upstreams.last();
    written(first);
    node.upstreams.deferConnects();
    first.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    first.runPendingTasks();
    send(client, "hello");

    client.close();
    client.runPendingTasks();
    node.upstreams.completeConnects();

    assertEquals("", written(node.upstreams.last()), "nothing goes to the late connection");
    assertTrue(
        node.scrape()
            .contains(
                "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"pair\",status=\"499\",status_class=\"4xx\"} 1.0"));
  }

  @Test
  void aPostIsNotRetriedOnceItsHeadLeft() {
    send(client, "POST /orders HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n");
    EmbeddedChannel first = node.upstreams.last();
    written(first);

    first.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    first.runPendingTasks();

    assertEquals(List.of(A), node.upstreams.connects(), "no second endpoint");
    String response = written(client);
    assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(response));
    assertTrue(client.isActive(), "the request was read whole: the connection stays");
    assertTrue(
        node.scrape()
            .contains(
                "wharf_upstream_errors_total{endpoint=\"10.0.0.1:80\","
                    + "kind=\"reset\",upstream=\"pair\"} 1.0"),
        node.scrape());
  }

  @Test
  void aReadTimeoutSendsTheRequestToTheNextEndpointAndAnswers504WhenNoneIsLeft() {
    send(client, "GET /slow HTTP/1.1\r\nHost: example.test\r\n\r\n");

    node.ticker.advance(60, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertEquals(List.of(A, B), node.upstreams.connects());
    node.ticker.advance(60, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();

    assertEquals(List.of(A, B), node.upstreams.connects(), "connect_retries 1: two attempts");
    assertEquals("HTTP/1.1 504 Gateway Timeout", statusLine(written(client)));
    assertFalse(node.upstreams.last().isActive(), "the quiet connection is closed");
  }

  @Test
  void noRetryOnceTheFirstResponseByteReachedTheClient() {
    send(client, "GET /big HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel first = node.upstreams.last();
    answer(first, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");

    first.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    first.runPendingTasks();

    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertTrue(response.endsWith("\r\n\r\nhello"), response);
    assertFalse(client.isActive(), "closing is the only way to say the body is incomplete");
    assertEquals(List.of(A), node.upstreams.connects(), "no second request upstream");
  }

  @Test
  void aPooledConnectionTheEndpointClosedIsRetriedOnceOnAFreshOne() {
    String request = "GET /again HTTP/1.1\r\nHost: example.test\r\n\r\n";
    send(client, "GET /solo/first HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel pooled = node.upstreams.last();
    written(pooled);
    answer(pooled, OK);
    assertEquals("HTTP/1.1 200 OK", statusLine(written(client)));

    send(client, request.replace("/again", "/solo/again"));
    assertEquals(request.replace("/again", "/solo/again"), written(pooled), "reused");
    pooled.close();
    pooled.runPendingTasks();

    assertEquals(List.of(SOLO, SOLO), node.upstreams.connects(), "a fresh connection");
    EmbeddedChannel fresh = node.upstreams.last();
    assertEquals(request.replace("/again", "/solo/again"), written(fresh));
    answer(fresh, OK);
    assertEquals("HTTP/1.1 200 OK", statusLine(written(client)));
  }

  // ---- connecting -----------------------------------------------------------------------------

  @Test
  void refusedConnectsTryEveryEndpointThenAnswer502() {
    node.upstreams.refuse(A);
    node.upstreams.refuse(B);

    send(client, "POST /orders HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n");

    assertEquals(
        List.of(A, B),
        node.upstreams.connects(),
        "a refused connect sent nothing: any method goes to the next endpoint");
    String response = written(client);
    assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(response));
    assertTrue(response.endsWith("\r\n\r\n502 Bad Gateway\n"), response);
  }

  @Test
  void aConnectTimeoutOnTheLastEndpointAnswers504() {
    node.upstreams.refuse(A);
    node.upstreams.timeOut(B);

    send(client, "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");

    assertEquals("HTTP/1.1 504 Gateway Timeout", statusLine(written(client)));
  }

  @Test
  void anUpstreamWithoutEndpointsAnswers503() {
    Config config = EmbeddedProxyNode.load(CONFIG);
    Config.Builder empty = config.toBuilder();
    empty.getUpstreamsBuilder(1).clearEndpoints();
    node.close();
    node = new EmbeddedProxyNode(empty.build());
    client = node.connect();

    send(client, "GET /solo/x HTTP/1.1\r\nHost: example.test\r\n\r\n");

    assertEquals("HTTP/1.1 503 Service Unavailable", statusLine(written(client)));
    assertEquals(List.of(), node.upstreams.connects());
    assertTrue(node.scrape().contains("kind=\"no_endpoint\",upstream=\"solo\"} 1.0"));
  }

  // ---- request body ---------------------------------------------------------------------------

  @Test
  void expectContinueIsAnsweredOnceAndTheBodyFollowsTheHead() {
    send(
        client,
        "PUT /solo/doc HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n"
            + "Expect: 100-continue\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    assertEquals("HTTP/1.1 100 Continue\r\n\r\n", written(client));
    assertEquals(
        "PUT /solo/doc HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\n",
        written(upstream),
        "Expect is Wharf's to answer, not the endpoint's");

    send(client, "hello");
    assertEquals("hello", written(upstream));
    answer(upstream, "HTTP/1.1 100 Continue\r\n\r\n" + OK);

    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertEquals(0, count(response, "100 Continue"), "the endpoint's own 100 is not relayed");
  }

  private static String chunk(int size) {
    return Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
  }

  @Test
  void aChunkedBodyOverTheLimitIsAnswered413AndTheConnectionClosed() {
    send(
        client,
        "POST /small/upload HTTP/1.1\r\nHost: example.test\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + chunk(600));
    EmbeddedChannel upstream = node.upstreams.last();
    assertTrue(written(upstream).endsWith("\r\n\r\n258\r\n" + "x".repeat(600) + "\r\n"));

    send(client, chunk(600));

    String response = written(client);
    assertEquals("HTTP/1.1 413 Request Entity Too Large", statusLine(response));
    assertTrue(response.contains("\r\nconnection: close\r\n"), response);
    assertFalse(client.isActive());
    assertEquals("", written(upstream), "the chunk over the limit is not forwarded");
    assertFalse(upstream.isActive(), "the endpoint got half a body: its connection is closed");
  }

  @Test
  void aBodyOverTheLimitAfterTheResponseStartedClosesTheClient() {
    send(
        client,
        "POST /small/upload HTTP/1.1\r\nHost: example.test\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + chunk(600));
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    answer(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    assertEquals("HTTP/1.1 200 OK", statusLine(written(client)));

    send(client, chunk(600));

    assertEquals("", written(client));
    assertFalse(client.isActive());
    assertFalse(upstream.isActive());
  }

  @Test
  void aBodyThatStopsComingIs408AndTheEndpointConnectionClosed() {
    send(
        client,
        "PUT /solo/doc HTTP/1.1\r\nHost: example.test\r\nContent-Length: 10\r\n\r\n" + "hello");
    EmbeddedChannel upstream = node.upstreams.last();
    assertTrue(written(upstream).endsWith("\r\n\r\nhello"));

    node.ticker.advance(60, TimeUnit.SECONDS); // client_body_timeout
    client.runScheduledPendingTasks();

    String response = written(client);
    assertEquals("HTTP/1.1 408 Request Timeout", statusLine(response));
    assertTrue(response.contains("\r\nconnection: close\r\n"), response);
    assertFalse(client.isActive());
    assertFalse(upstream.isActive(), "the endpoint got half a body");
  }

  // ---- keep-alive -----------------------------------------------------------------------------

  static Stream<Arguments> keepAliveDecisions() {
    return Stream.of(
        // client's Connection, endpoint's Connection, client kept, upstream connection pooled
        Arguments.of("", "", true, true),
        Arguments.of("", "Connection: close\r\n", true, false),
        Arguments.of("Connection: close\r\n", "", false, true),
        // an endpoint's close wins wherever it stands in the list, in any case, and is not relayed
        Arguments.of("", "Connection: keep-alive, close\r\n", true, false),
        Arguments.of("", "Connection: X-Trace ,  CLOSE\r\nX-Trace: 1\r\n", true, false),
        Arguments.of("", "Connection: keep-alive\r\nConnection: Close\r\n", true, false),
        Arguments.of("", "Connection: closed, x-close\r\n", true, true));
  }

  @ParameterizedTest
  @MethodSource("keepAliveDecisions")
  void eachSideKeepsItsConnectionAsItsOwnPeerAsked(
      String clientHeader, String endpointHeader, boolean clientKept, boolean upstreamPooled) {
    send(client, "GET /solo/a HTTP/1.1\r\nHost: example.test\r\n" + clientHeader + "\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    assertEquals(
        "GET /solo/a HTTP/1.1\r\nHost: example.test\r\n\r\n",
        written(upstream),
        "the client's Connection header is hop-by-hop");

    answer(upstream, "HTTP/1.1 200 OK\r\n" + endpointHeader + "Content-Length: 2\r\n\r\nok");

    String response = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertEquals(!clientKept, response.contains("\r\nconnection: close\r\n"), response);
    assertFalse(
        response.toLowerCase().contains("x-trace"), "a header Connection named: " + response);
    assertEquals(clientKept, client.isActive());
    assertEquals(upstreamPooled, upstream.isActive());
  }

  // ---- the client ---------------------------------------------------------------------------

  @Test
  void aClientThatLeavesWhileWaitingClosesTheUpstreamConnection() {
    send(client, "GET /solo/wait HTTP/1.1\r\nHost: example.test\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);

    client.close();
    client.runPendingTasks();
    upstream.runPendingTasks();

    assertFalse(upstream.isActive());
    assertTrue(
        node.scrape()
            .contains(
                "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"solo\",status=\"499\",status_class=\"4xx\"} 1.0"),
        "logged as 499");
  }
}
