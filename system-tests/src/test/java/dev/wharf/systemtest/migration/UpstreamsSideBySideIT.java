package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's upstream semantics side by side: one nginx file with {@code backup} and {@code down}
 * servers, the default {@code max_fails}/{@code fail_timeout}, {@code least_conn} and {@code
 * proxy_next_upstream} with statuses, run by a real nginx and, through {@code wharfctl
 * import-nginx}, by a real Wharf node. The same request sequence goes to each; the statuses, the
 * backend that answered ({@code x-backend}) and what the backends received must be the same.
 *
 * <p>Each proxy keeps its own failure and connection counts, so each sequence is sent to nginx
 * whole, then to Wharf whole. No test depends on time passing: fail_timeout (10 s) never runs out
 * while a test runs, as every sequence is short.
 */
class UpstreamsSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend a;
  private static TestBackend b;
  private static HttpServer unavailable;
  private static final AtomicInteger unavailableHits = new AtomicInteger();
  private static int nginxPort;
  private static int wharfPort;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    unavailable = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    unavailable.createContext(
        "/",
        exchange -> {
          unavailableHits.incrementAndGet();
          try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
          }
          byte[] body = "busy\n".getBytes(StandardCharsets.US_ASCII);
          exchange.getResponseHeaders().add("x-backend", "unavailable");
          exchange.sendResponseHeaders(503, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    unavailable.start();
    String busy = "127.0.0.1:" + unavailable.getAddress().getPort();
    String template =
        SideBySide.http(
                """
          upstream pair { server UNUSED1; server BACKEND_A; }
          upstream primary_and_backup { server UNUSED1; server BACKEND_B backup; }
          upstream downed { server BACKEND_A down; server BACKEND_B; }
          upstream fewest { least_conn; server BACKEND_A; server BACKEND_B; }
          upstream flaky { server BUSY; server BACKEND_B; }
          upstream flaky_plain { server BUSY; server BACKEND_B; }
          upstream flaky_post { server BUSY; server BACKEND_B; }
          upstream flaky_post_too { server BUSY; server BACKEND_B; }
          server {
            listen 127.0.0.1:PORT;
            location /off/ { proxy_pass http://pair; proxy_next_upstream off; }
            location /backup/ { proxy_pass http://primary_and_backup; }
            location /down/ { proxy_pass http://downed; }
            location /fewest/ { proxy_pass http://fewest/; }
            location /on503/ {
              proxy_pass http://flaky;
              proxy_next_upstream error timeout http_503;
            }
            location /plain/ { proxy_pass http://flaky_plain; proxy_next_upstream error timeout; }
            location /post/ {
              proxy_pass http://flaky_post;
              proxy_next_upstream error timeout http_503;
            }
            location /post-too/ {
              proxy_pass http://flaky_post_too;
              proxy_next_upstream error timeout http_503 non_idempotent;
            }
          }
        """)
            .replace("BUSY", busy);
    sbs = SideBySide.start(dir, BOUND, 1, template, "a", "b");
    a = sbs.backend("a");
    b = sbs.backend("b");
    nginxPort = sbs.nginxPort();
    wharfPort = sbs.wharfPort();
    drainBackends();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
    if (unavailable != null) {
      unavailable.stop(0);
    }
  }

  @BeforeEach
  void forgetWhatEarlierTestsSent() {
    drainBackends();
  }

  private static void drainBackends() {
    sbs.forgetBackendRequests();
  }

  /** A status and the backend that gave it ({@code -} for an answer of the proxy's own). */
  private record Seen(int status, String backend) {
    @Override
    public String toString() {
      return status + " " + backend;
    }
  }

  private static Seen send(int port, String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        Http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(BOUND)
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Seen(r.statusCode(), r.headers().firstValue("x-backend").orElse("-"));
  }

  /** {@code n} requests in a row to one proxy. */
  private static List<Seen> sequence(int port, String method, String path, String body, int n)
      throws Exception {
    List<Seen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(send(port, method, path, body));
    }
    return out;
  }

  /** The same sequence to nginx, then to Wharf: the same statuses from the same backends. */
  private static List<Seen> same(String method, String path, String body, int n) throws Exception {
    return sbs.same(method + " " + path + " x" + n, port -> sequence(port, method, path, body, n));
  }

  private static List<Seen> times(int n, Seen seen) {
    List<Seen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(seen);
    }
    return out;
  }

  @Test
  void aRefusingEndpointIsSkippedAfterItsFirstFailureEvenWithNextUpstreamOff() throws Exception {
    List<Seen> seen = same("GET", "/off/x", null, 6);
    List<Seen> expected = new ArrayList<>(List.of(new Seen(502, "-")));
    expected.addAll(times(5, new Seen(200, "a")));
    assertEquals(expected, seen, "nginx: 502 once, then the live endpoint only");
  }

  @Test
  void theBackupTakesTheRequestsItsPrimaryCannot() throws Exception {
    assertEquals(times(4, new Seen(200, "b")), same("GET", "/backup/x", null, 4));
    assertSameRequestsAt(b, 4);
  }

  @Test
  void aDownServerGetsNothing() throws Exception {
    assertEquals(times(4, new Seen(200, "b")), same("GET", "/down/x", null, 4));
    assertEquals(0, a.pendingRequests(), "a is down: it received nothing");
    assertSameRequestsAt(b, 4);
  }

  @Test
  void aListedStatusSendsTheRequestToTheNextEndpointAndCountsAsAFailure() throws Exception {
    int hitsBefore = unavailableHits.get();
    List<Seen> seen = same("GET", "/on503/x", null, 4);
    assertEquals(times(4, new Seen(200, "b")), seen);
    assertEquals(
        hitsBefore + 2,
        unavailableHits.get(),
        "the 503 endpoint is asked once by each proxy, then skipped for fail_timeout");
    assertSameRequestsAt(b, 4);
  }

  @Test
  void anUnlistedStatusIsRelayedAndDoesNotCountAgainstItsEndpoint() throws Exception {
    List<Seen> seen = same("GET", "/plain/x", null, 4);
    assertEquals(
        List.of(
            new Seen(503, "unavailable"),
            new Seen(200, "b"),
            new Seen(503, "unavailable"),
            new Seen(200, "b")),
        seen);
  }

  @Test
  void aPostIsRelayedWithItsStatusAndNotCountedUnlessNonIdempotentIsListed() throws Exception {
    assertEquals(
        List.of(new Seen(503, "unavailable"), new Seen(200, "b"), new Seen(503, "unavailable")),
        same("POST", "/post/p", "", 3),
        "POST, LOCK and PATCH are not retried; the 503 they got does not count as a failure");
    assertSameRequestsAt(b, 1);
  }

  @Test
  void aPostIsRetriedOnAListedStatusWithNonIdempotent() throws Exception {
    assertEquals(times(3, new Seen(200, "b")), same("POST", "/post-too/p", "", 3));
    assertSameRequestsAt(b, 3);
  }

  @Test
  void leastConnSendsQuickRequestsAwayFromTheEndpointBusyWithASlowOne() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      try (Socket stalled = new Socket("127.0.0.1", port)) {
        stalled
            .getOutputStream()
            .write(
                "GET /fewest/stall HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        stalled.getOutputStream().flush();
        Await.until(
            BOUND, () -> a.pendingRequests() + b.pendingRequests() == 1, () -> "stall not seen");
        String busy = a.pendingRequests() == 1 ? "a" : "b";
        String other = busy.equals("a") ? "b" : "a";
        List<Seen> quick = sequence(port, "GET", "/fewest/q", null, 4);
        assertEquals(
            times(4, new Seen(200, other)), quick, (port == nginxPort ? "nginx" : "wharf"));
        assertNotEquals(busy, other);
      }
      drainBackends();
    }
  }

  /**
   * The last {@code 2n} requests at {@code backend} (n from nginx, then n from Wharf) match
   * pairwise: method, target and body.
   */
  private static void assertSameRequestsAt(TestBackend backend, int n) {
    List<RecordedRequest> got = new ArrayList<>();
    while (backend.pendingRequests() > 0) {
      got.add(backend.takeRequest(BOUND));
    }
    assertEquals(2 * n, got.size(), "requests at " + backend.name());
    for (int i = 0; i < n; i++) {
      RecordedRequest fromNginx = got.get(i);
      RecordedRequest fromWharf = got.get(n + i);
      assertEquals(fromNginx.method(), fromWharf.method());
      assertEquals(fromNginx.uri(), fromWharf.uri());
      assertEquals(
          new String(fromNginx.body(), StandardCharsets.UTF_8),
          new String(fromWharf.body(), StandardCharsets.UTF_8));
    }
  }
}
