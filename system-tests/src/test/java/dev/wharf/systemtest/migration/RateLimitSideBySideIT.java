package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's limit_req and limit_conn side by side: one nginx file run by a real nginx and, through
 * {@code wharfctl import-nginx}, by a real Wharf node. Each sequence goes to nginx whole, then to
 * Wharf whole (each keeps its own zones), with a fresh API key per test and proxy.
 *
 * <p>{@code /conn/} strips its prefix, so {@code /conn/hold} is the backend's {@code /hold}, held
 * until the test releases it. No result depends on the machine's speed: the burst zone drains one
 * request a minute, so a sequence that takes seconds sees the same counts; the delaying zone only
 * delays, and every delayed request is awaited.
 */
class RateLimitSideBySideIT {
  private static final Duration BOUND = SideBySide.BOUND;

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend backend;
  private static int nginxPort;
  private static int wharfPort;

  @BeforeAll
  static void start() throws Exception {
    sbs =
        SideBySide.start(
            dir,
            SideBySide.http(
                """
              limit_req_zone $http_x_api_key zone=perkey:1m rate=1r/m;
              limit_req_zone $http_x_api_key zone=paced:1m rate=20r/s;
              limit_conn_zone $http_x_api_key zone=conns:1m;
              server {
                listen 127.0.0.1:PORT;
                limit_req zone=perkey burst=3 nodelay;
                location /burst/ { proxy_pass http://BACKEND; }
                location /paced/ { limit_req zone=paced burst=5; proxy_pass http://BACKEND; }
                location /conn/ {
                  limit_req zone=paced burst=100 nodelay;
                  limit_conn conns 1;
                  proxy_pass http://BACKEND/;
                }
                location /free/ { limit_req zone=paced burst=1000 nodelay; proxy_pass http://BACKEND; }
              }
            """),
            "b");
    backend = sbs.backend();
    nginxPort = sbs.nginxPort();
    wharfPort = sbs.wharfPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  @BeforeEach
  void forgetWhatEarlierTestsSent() {
    sbs.forgetBackendRequests();
  }

  private static HttpRequest request(int port, String path, String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(BOUND)
        .header("x-api-key", key)
        .build();
  }

  private static int status(int port, String path, String key) throws Exception {
    return Http.send(request(port, path, key), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static List<Integer> sequence(int port, String path, String key, int n) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(status(port, path, key));
    }
    return out;
  }

  private static int backendRequests() {
    return sbs.forgetBackendRequests();
  }

  @Test
  void aBurstFromOneKeyGetsTheSameStatusesAndASecondKeyIsUnaffected() throws Exception {
    List<Integer> expected = List.of(200, 200, 200, 200, 503, 503, 503);
    for (int port : new int[] {nginxPort, wharfPort}) {
      String key = "burst-" + port;
      assertEquals(expected, sequence(port, "/burst/x", key, 7), "port " + port);
      assertEquals(200, status(port, "/burst/x", "other-" + port), "another key, port " + port);
      assertEquals(5, backendRequests(), "what reached the backend through port " + port);
    }
  }

  @Test
  void delayedRequestsAreAnsweredAndArriveAtTheBackend() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      String key = "paced-" + port;
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(
            Http.getAsync(URI.create("http://127.0.0.1:" + port + "/paced/x"), "x-api-key", key));
      }
      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        assertEquals(200, f.get(BOUND.toSeconds(), TimeUnit.SECONDS).statusCode(), "port " + port);
      }
      assertEquals(4, backendRequests(), "port " + port);
    }
  }

  @Test
  void limitConnRefusesASecondRequestOfAKeyWhileItsFirstIsInProgress() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      String key = "conn-" + port;
      CompletableFuture<HttpResponse<String>> held =
          Http.getAsync(URI.create("http://127.0.0.1:" + port + "/conn/hold"), "x-api-key", key);
      Await.until(
          BOUND,
          () -> backend.pendingRequests() == 1,
          () -> "the held request is not at the backend");
      assertEquals(503, status(port, "/conn/x", key), "port " + port);
      assertEquals(200, status(port, "/conn/x", "other-" + port), "port " + port);
      backend.releaseHeld();
      assertEquals(200, held.get(BOUND.toSeconds(), TimeUnit.SECONDS).statusCode());
      assertEquals(200, status(port, "/conn/x", key), "the count is given back, port " + port);
      assertEquals(3, backendRequests(), "port " + port);
    }
  }

  /** A GET of {@code path} with the API key, on the raw connection, as HTTP/1.1 or 1.0. */
  private static String raw(String version, String path, String key, String... more) {
    StringBuilder r = new StringBuilder("GET " + path + " " + version + "\r\nHost: t\r\n");
    r.append("x-api-key: ").append(key).append("\r\n");
    for (String line : more) {
      r.append(line).append("\r\n");
    }
    return r.append("\r\n").toString();
  }

  /** The key's burst spent on this connection: its next /burst/ request is refused (503). */
  private static void spendTheBurst(RawHttp http, String key, int port) throws Exception {
    for (int i = 0; i < 4; i++) {
      assertEquals(200, http.exchange(raw("HTTP/1.1", "/burst/x", key)).status(), "port " + port);
    }
  }

  @Test
  void aRefusedRequestLeavesItsConnectionUsableForTheNextOneAsNginxDoes() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      String key = "keep-" + port;
      try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
        spendTheBurst(http, key, port);
        RawHttp.Response refused = http.exchange(raw("HTTP/1.1", "/burst/x", key));
        assertEquals(503, refused.status(), "port " + port);
        assertFalse(
            "close".equalsIgnoreCase(refused.headers().get("connection")),
            "the refusal keeps the connection, port " + port + ": " + refused.headers());
        RawHttp.Response next = http.exchange(raw("HTTP/1.1", "/free/x", key));
        assertEquals(200, next.status(), "the next request on the same connection, port " + port);
        assertEquals(503, http.exchange(raw("HTTP/1.1", "/burst/x", key)).status());
      }
      assertEquals(5, backendRequests(), "the refused requests never reached it, port " + port);
    }
  }

  @Test
  void aRefusalOfAnHttp10OrConnectionCloseRequestClosesTheConnectionAsNginxDoes() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      String key = "close-" + port;
      try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
        spendTheBurst(http, key, port);
        RawHttp.Response refused =
            http.exchange(raw("HTTP/1.1", "/burst/x", key, "Connection: close"));
        assertEquals(503, refused.status(), "port " + port);
        assertTrue(http.closedByServer(), "Connection: close is honoured, port " + port);
      }
      try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
        RawHttp.Response refused = http.exchange(raw("HTTP/1.0", "/burst/x", key));
        assertEquals(503, refused.status(), "port " + port);
        assertTrue(http.closedByServer(), "an HTTP/1.0 request's connection ends, port " + port);
      }
      assertEquals(4, backendRequests(), "the refused requests never reached it, port " + port);
    }
  }
}
