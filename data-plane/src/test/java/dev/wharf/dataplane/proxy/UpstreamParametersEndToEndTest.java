package dev.wharf.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * nginx's upstream semantics through a real node with four event loops, real backends and real
 * clients: backup and down endpoints, nginx's max_fails accounting with {@code next_upstream:
 * [off]}, a listed status sent to the next endpoint, and least-connections counted node-wide.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamParametersEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestBackend one;
  private static TestBackend two;
  private static HttpServer busy;
  private static final AtomicInteger busyHits = new AtomicInteger();
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    one = TestBackend.start("one");
    two = TestBackend.start("two");
    busy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    busy.createContext(
        "/",
        exchange -> {
          busyHits.incrementAndGet();
          try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
          }
          byte[] body = "busy\n".getBytes(StandardCharsets.US_ASCII);
          exchange.getResponseHeaders().add("x-backend", "busy");
          exchange.sendResponseHeaders(503, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    busy.start();
    String nginxFailures =
        "{consecutive_failures: 1, failure_window: 10s, base_ejection_time: 10s,"
            + " max_ejection_time: 10s, max_ejection_percent: 100, count_5xx_responses: false}";
    node = TestNode.builder().workers(4).build();
    node.apply(
        ports ->
            """
            listeners:
              - {name: web, address: 127.0.0.1, port: %1$d}
            upstreams:
              - name: pair
                endpoints: [{address: "127.0.0.1:%2$d"}, {address: "%3$s"}]
                outlier_detection: %5$s
              - name: backed
                endpoints: [{address: "127.0.0.1:%2$d"}, {address: "%4$s", backup: true}]
              - name: downed
                endpoints: [{address: "%3$s", down: true}, {address: "%4$s"}]
              - name: flaky
                endpoints: [{address: "%6$s"}, {address: "%4$s"}]
                outlier_detection: %5$s
              - name: fewest
                endpoints: [{address: "%3$s"}, {address: "%4$s"}]
                balancing: {policy: least_connections}
            routes:
              - {name: off, match: {path: {prefix: /off/}}, proxy: {upstream: pair, next_upstream: [off]}}
              - {name: backed, match: {path: {prefix: /backed/}}, proxy: {upstream: backed}}
              - {name: downed, match: {path: {prefix: /downed/}}, proxy: {upstream: downed}}
              - name: on503
                match: {path: {prefix: /on503/}}
                proxy: {upstream: flaky, next_upstream: [error, timeout, http_503]}
              - name: fewest
                match: {path: {prefix: /fewest/}}
                proxy: {upstream: fewest, rewrite: {regex: ^/fewest(/.*), replacement: $1}}
            """
                .formatted(
                    ports.next(),
                    ports.next(),
                    one.endpoint(),
                    two.endpoint(),
                    nginxFailures,
                    "127.0.0.1:" + busy.getAddress().getPort()));
  }

  @AfterAll
  static void stop() {
    node.close();
    busy.stop(0);
    one.close();
    two.close();
  }

  private static List<String> sequence(String path, int n) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = Http.get(node.uri("web", path));
      out.add(r.statusCode() + " " + r.headers().firstValue("x-backend").orElse("-"));
    }
    return out;
  }

  @Test
  void aRefusingEndpointIsSkippedAfterItsFirstFailureWithNextUpstreamOff() throws Exception {
    assertEquals(
        List.of("502 -", "200 one", "200 one", "200 one", "200 one"), sequence("/off/x", 5));
  }

  @Test
  void theBackupAnswersForItsRefusingPrimary() throws Exception {
    assertEquals(List.of("200 two", "200 two", "200 two"), sequence("/backed/x", 3));
  }

  @Test
  void aDownEndpointGetsNothing() throws Exception {
    int before = one.connectionsAccepted();
    assertEquals(List.of("200 two", "200 two", "200 two"), sequence("/downed/x", 3));
    assertEquals(before, one.connectionsAccepted());
  }

  @Test
  void aListedStatusGoesToTheNextEndpointAndEjectsItsSender() throws Exception {
    int before = busyHits.get();
    assertEquals(List.of("200 two", "200 two", "200 two", "200 two"), sequence("/on503/x", 4));
    assertEquals(before + 1, busyHits.get(), "asked once, then skipped for the failure window");
  }

  @Test
  void leastConnectionsCountsTheNodesRequestsInFlightAcrossEventLoops() throws Exception {
    for (TestBackend b : List.of(one, two)) {
      while (b.pendingRequests() > 0) {
        b.takeRequest(WAIT);
      }
    }
    try (Socket stalled = new Socket("127.0.0.1", node.address("web").getPort())) {
      OutputStream out = stalled.getOutputStream();
      out.write(
          "GET /fewest/stall HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Await.until(
          WAIT,
          () -> one.pendingRequests() + two.pendingRequests() > 0,
          () -> "the stalled request did not arrive");
      String other = one.pendingRequests() > 0 ? "two" : "one";
      // the quick requests come on another connection than the stalled one, so (with four
      // event loops taking turns accepting) on another loop: the count must be the node's
      assertEquals(
          List.of("200 " + other, "200 " + other, "200 " + other, "200 " + other, "200 " + other),
          sequence("/fewest/quick", 5));
    }
  }
}
