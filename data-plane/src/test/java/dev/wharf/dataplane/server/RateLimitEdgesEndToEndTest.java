package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The edges of limit_req through a real node: what a refused client's connection looks like
 * afterwards, and what a config that fails to apply leaves behind. The buckets read a {@link
 * MockTicker}, so a slot frees exactly when the test advances it.
 */
@ExtendWith(NettyLeakExtension.class)
class RateLimitEdgesEndToEndTest {
  private final MockTicker ticker = Ticker.newMockTicker();
  private TestBackend backend;
  private TestNode node;

  private static final String LIMITED =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: %d}
      upstreams:
        - name: app
          endpoints: [{address: "%s"}]
      rate_limit_zones: [{name: api, key: $http_x_api_key, rate: 1r/s}]
      routes:
        - name: limited
          match: {path: {prefix: /}}
          proxy: {upstream: app}
          limit_req: [{zone: api, nodelay: true}]
      """;

  private void start() throws Exception {
    start(LIMITED);
  }

  private void start(String yaml) throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .workers(2)
            .ticker(ticker)
            .start(ports -> yaml.formatted(ports.next(), backend.endpoint()));
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aRefusedRequestKeepsItsConnectionOpenAsNginxDoesAndTheNextRequestUsesIt() throws Exception {
    start();
    try (RawHttp client = new RawHttp(node.address("web"))) {
      String get = "GET /%s HTTP/1.1\r\nHost: h\r\nx-api-key: k\r\n\r\n";
      assertEquals(200, client.exchange(get.formatted("first")).status());
      // Refused with a body the node never asked for: it is dropped, not taken for a request.
      RawHttp.Response refused =
          client.exchange(
              "POST /refused HTTP/1.1\r\nHost: h\r\nx-api-key: k\r\n"
                  + "Content-Length: 27\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
      assertEquals(429, refused.status());
      assertNull(refused.headers().get("connection"), refused.headers().toString());
      ticker.advance(1, TimeUnit.SECONDS); // the slot frees
      RawHttp.Response second = client.exchange(get.formatted("second"));
      assertEquals(200, second.status(), "the same socket serves the next request");
    }
    assertEquals("/first", backend.takeRequest(Http.TIMEOUT).uri());
    assertEquals("/second", backend.takeRequest(Http.TIMEOUT).uri());
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void aConfigThatFailsToBindLeavesTheZonesOfTheServedConfigAndRegistersNothing() throws Exception {
    start();
    assertEquals(200, Http.get(node.uri("web", "/a"), "x-api-key", "k").statusCode());
    assertEquals(429, Http.get(node.uri("web", "/a"), "x-api-key", "k").statusCode());
    String failing =
        LIMITED
            .replace("rate: 1r/s}]", "rate: 2r/s}, {name: other, key: $uri, rate: 1r/s}]")
            .replace(
                "listeners:\n", "listeners:\n  - {name: taken, address: 127.0.0.1, port: %d}\n");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int web = node.address("web").getPort();
      assertThrows(
          ListenerBindException.class,
          () -> node.apply(failing.formatted(taken.getLocalPort(), web, backend.endpoint())));
    }
    assertNull(
        node.registry().find("wharf.rate_limit.requests").tag("zone", "other").counter(),
        "a zone of a config that was never applied has no series");
    // The served config again: its zone kept its state, so the client is still over its rate.
    node.apply(LIMITED.formatted(node.address("web").getPort(), backend.endpoint()));
    assertEquals(429, Http.get(node.uri("web", "/a"), "x-api-key", "k").statusCode());
    ticker.advance(1, TimeUnit.SECONDS);
    assertEquals(200, Http.get(node.uri("web", "/a"), "x-api-key", "k").statusCode());
  }

  /**
   * nginx reads a request body only once limit_req's delay is over (the body is read by the content
   * phase, the delay is the preaccess phase), so client_body_timeout does not run while a request
   * waits: a client whose body pauses longer than the timeout during the delay is served. The delay
   * is a real 5 s timer; the 2 s the ticker jumps meanwhile are twice the timeout.
   */
  @Test
  void theBodyTimeoutDoesNotRunWhileARequestWaitsOutItsDelayAsInNginx() throws Exception {
    start(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d, client_body_timeout: 1s}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        rate_limit_zones: [{name: api, key: $http_x_api_key, rate: 12r/m}]
        routes:
          - name: limited
            match: {path: {prefix: /}}
            proxy: {upstream: app}
            limit_req: [{zone: api, burst: 1}]
        """);
    assertEquals(200, Http.get(node.uri("web", "/first"), "x-api-key", "k").statusCode());
    try (RawHttp client = new RawHttp(node.address("web"))) {
      client.send("POST /slow HTTP/1.1\r\nHost: h\r\nx-api-key: k\r\nContent-Length: 4\r\n\r\nab");
      Await.until(
          Duration.ofSeconds(30),
          () -> delayed() == 1.0,
          () -> "the request is not delayed: " + delayed());
      ticker.advance(2, TimeUnit.SECONDS); // while it waits: twice client_body_timeout
      client.send("cd");
      assertEquals(200, client.read(false).status());
    }
    assertEquals("/first", backend.takeRequest(Http.TIMEOUT).uri());
    RecordedRequest slow = backend.takeRequest(Http.TIMEOUT);
    assertEquals("abcd", new String(slow.body(), StandardCharsets.UTF_8));
  }

  private double delayed() {
    return node.registry()
        .get("wharf.rate_limit.requests")
        .tags("zone", "api", "outcome", "delayed")
        .counter()
        .count();
  }
}
