package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limit_req and limit_conn through a real node with two event loops: what clients see and what the
 * backend receives. The buckets read a {@link MockTicker}, so "at the same millisecond" is exact on
 * a loaded machine; a delayed request waits on an event-loop timer, which the test only awaits.
 */
@ExtendWith(NettyLeakExtension.class)
class RateLimitEndToEndTest {
  private final MockTicker ticker = Ticker.newMockTicker();
  private TestBackend backend;
  private TestNode node;

  private void start(String zones, String limits) throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .workers(2)
            .ticker(ticker)
            .start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %d}
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    rate_limit_zones: %s
                    routes:
                      - name: limited
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                        %s
                      - name: free
                        match: {path: {prefix: /free/}}
                        proxy: {upstream: app}
                    """
                        .formatted(ports.next(), backend.endpoint(), zones, limits));
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

  private int get(String path, String key) throws Exception {
    return Http.get(node.uri("web", path), "x-api-key", key).statusCode();
  }

  @Test
  void aBurstFromOneKeyGetsNginxsCountsAndAnotherKeyIsUnaffected() throws Exception {
    start(
        "[{name: api, key: $http_x_api_key, rate: 1r/s}]",
        "limit_req: [{zone: api, burst: 2, nodelay: true, status: 503}]");
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(get("/a", "one"));
    }
    assertEquals(List.of(200, 200, 200, 503, 503), statuses);
    assertEquals(200, get("/a", "two"));
    assertEquals(200, get("/free/x", "one"), "a route without limits is not limited");
    assertEquals(200, get("/a", ""), "an empty key is not limited");
    for (int i = 0; i < 6; i++) { // three of "one", "two", the free route, the empty key
      assertNotNull(backend.takeRequest(Http.TIMEOUT));
    }
    backend.assertNoUnconsumedRequests();
    ticker.advance(1, TimeUnit.SECONDS);
    assertEquals(200, get("/a", "one"), "a second later the bucket has room for one");
    assertEquals(503, get("/a", "one"));
    assertEquals(3.0, count("rejected"));
  }

  private double count(String outcome) {
    return node.registry()
        .get("wharf.rate_limit.requests")
        .tags("zone", "api", "outcome", outcome)
        .counter()
        .count();
  }

  @Test
  void aDelayedRequestReachesTheBackendAfterItsDelayWithoutBlockingOthers() throws Exception {
    start("[{name: api, key: $http_x_api_key, rate: 10r/s}]", "limit_req: [{zone: api, burst: 1}]");
    assertEquals(200, get("/a", "k"));
    // The second request at the same millisecond waits 100 ms on a timer; a third is over the
    // burst and refused with Wharf's default status while it waits.
    CompletableFuture<HttpResponse<String>> delayed =
        Http.getAsync(node.uri("web", "/delayed"), "x-api-key", "k");
    Await.until(
        Duration.ofSeconds(30),
        () -> count("delayed") == 1.0,
        () -> "the second request is not counted as delayed: " + count("delayed"));
    assertEquals(429, get("/a", "k"));
    assertEquals(200, get("/a", "other"), "the loop is not blocked: another key passes");
    assertEquals(200, delayed.get(30, TimeUnit.SECONDS).statusCode());
    List<String> uris = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      uris.add(backend.takeRequest(Http.TIMEOUT).uri());
    }
    assertTrue(uris.contains("/delayed"), uris.toString());
  }

  @Test
  void limitConnRefusesARequestOverTheCountWhileOthersAreInProgress() throws Exception {
    start(
        "[{name: c, kind: connections, key: $http_x_api_key}]",
        "limit_conn: [{zone: c, max: 1, status: 503}]");
    CompletableFuture<HttpResponse<String>> held =
        Http.getAsync(node.uri("web", "/hold"), "x-api-key", "k");
    Await.until(
        Duration.ofSeconds(30),
        () -> backend.pendingRequests() == 1,
        () -> "the first request is not at the backend");
    assertEquals(503, get("/a", "k"));
    assertEquals(200, get("/a", "other"));
    backend.releaseHeld();
    assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          try {
            return get("/a", "k") == 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        () -> "the count is not given back when the request ends");
  }

  @Test
  void aZoneReferencedByARouteAndThenRemovedBySwapStopsLimiting() throws Exception {
    start("[{name: api, key: $http_x_api_key, rate: 1r/m}]", "limit_req: [{zone: api}]");
    assertEquals(200, get("/a", "k"));
    assertEquals(429, get("/a", "k"));
    node.apply(
        ports ->
            """
            listeners:
              - {name: web, address: 127.0.0.1, port: %d}
            upstreams:
              - name: app
                endpoints: [{address: "%s"}]
            routes:
              - name: limited
                match: {path: {prefix: /}}
                proxy: {upstream: app}
            """
                .formatted(node.address("web").getPort(), backend.endpoint()));
    assertEquals(200, get("/a", "k"));
    assertEquals(200, get("/a", "k"));
  }
}
