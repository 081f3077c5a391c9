package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request-framing table ({@link RequestFramingRows}) over real sockets: a raw client, a node,
 * and a real backend on a proxy route. The client's statuses and close are checked as at the
 * embedded level; of what the backend received, the requests it took whole (method, target, body)
 * and the one it saw cut off, then that nothing else reached it.
 */
@ExtendWith(NettyLeakExtension.class)
class RequestFramingProxyEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger MARKERS = new AtomicInteger();
  private static TestBackend backend;
  private static TestNode node;
  private static InetSocketAddress web;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
                listeners:
                  - {name: web, address: 127.0.0.1, port: %d, %s}
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                routes:
                  - name: app
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                """
                    .formatted(ports.next(), RequestFramingRows.LIMITS, backend.endpoint()));
    web = node.address("web");
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.wharf.dataplane.server.RequestFramingRows#rows")
  void aRequestGetsItsStatusItsCloseAndTheBackendWhatTheTableSays(RequestFramingRows.Row row)
      throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      for (String part : row.parts()) {
        http.send(part);
      }
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < row.statuses().size(); i++) {
        statuses.add(http.read(false).status());
      }
      assertEquals(row.statuses(), statuses);
      String next = null;
      if (row.closes()) {
        assertTrue(http.closedByServer(), "closed");
      } else {
        next = marker();
        assertEquals(200, http.exchange(next).status(), "the connection goes on");
      }
      List<Sent> expected = requestsIn(row.upstreamFor(backend.endpoint()));
      for (Sent sent : expected) {
        RecordedRequest got =
            sent.whole ? backend.takeRequest(WAIT) : backend.takeCutOffRequest(WAIT);
        assertEquals(sent.method + " " + sent.uri, got.method() + " " + got.uri());
        assertEquals(sent.host, got.header("Host"), "Host");
        assertEquals(sent.body, new String(got.body(), StandardCharsets.ISO_8859_1));
      }
      assertEquals(row.cut(), !expected.isEmpty() && !expected.get(expected.size() - 1).whole);
      if (next != null) {
        assertEquals(next.split(" ")[1], backend.takeRequest(WAIT).uri());
      }
    }
    assertBackendSawNothingBeforeAMarker();
  }

  /** A request as the table says the endpoint got it; {@code whole} false when cut off. */
  private record Sent(String method, String uri, String host, String body, boolean whole) {}

  /** The requests in the bytes an endpoint got, read with Netty's decoder. */
  private static List<Sent> requestsIn(String upstream) {
    List<Sent> sent = new ArrayList<>();
    EmbeddedChannel decoder = new EmbeddedChannel(new HttpRequestDecoder());
    try {
      decoder.writeInbound(Unpooled.copiedBuffer(upstream, StandardCharsets.ISO_8859_1));
      HttpRequest head = null;
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (Object o = decoder.readInbound(); o != null; o = decoder.readInbound()) {
        try {
          if (o instanceof HttpRequest request) {
            head = request;
            body.reset();
          }
          if (o instanceof HttpContent content) {
            body.writeBytes(ByteBufUtil.getBytes(content.content()));
            if (o instanceof LastHttpContent && head != null) {
              sent.add(new Sent(head.method().name(), head.uri(), host(head), text(body), true));
              head = null;
            }
          }
        } finally {
          ReferenceCountUtil.release(o);
        }
      }
      if (head != null) {
        sent.add(new Sent(head.method().name(), head.uri(), host(head), text(body), false));
      }
    } finally {
      decoder.finishAndReleaseAll();
    }
    return sent;
  }

  private static String host(HttpRequest head) {
    return head.headers().get("Host");
  }

  private static String text(ByteArrayOutputStream body) {
    return body.toString(StandardCharsets.ISO_8859_1);
  }

  private static String marker() {
    return "GET /status/200?marker=" + MARKERS.incrementAndGet() + " HTTP/1.1\r\nHost: a\r\n\r\n";
  }

  /**
   * A request sent after the row on a fresh connection must be the next one the backend records: a
   * forwarded request would have reached it first (the client got Wharf's answer, which comes after
   * any forwarding).
   */
  private static void assertBackendSawNothingBeforeAMarker() throws IOException {
    String marker = marker();
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(200, http.exchange(marker).status());
    }
    assertEquals(marker.split(" ")[1], backend.takeRequest(WAIT).uri());
    assertEquals(0, backend.pendingRequests());
  }
}
