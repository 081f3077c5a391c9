package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's {@code error_page} and {@code proxy_intercept_errors} through a real node: an SPA's 404
 * served from its index with 404 or {@code =200}, a dead upstream's 502 and an endpoint's
 * intercepted 503 answered from a static page (the endpoint's body never reaching the client), a
 * redirect to a URL, {@code =} taking the page's status, one internal redirect at most, and an
 * endpoint that answers 500 with a body that never ends.
 */
@ExtendWith(NettyLeakExtension.class)
class ErrorPagesEndToEndTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String INDEX = "<!doctype html><title>spa</title>\n";
  private static final String SORRY = "<p>sorry, try later</p>\n";

  @TempDir static Path dir;
  private static TestBackend backend;
  private static EndlessErrorBackend endless;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/index.html"), INDEX);
    Files.writeString(dir.resolve("www/50x.html"), SORRY);
    byte[] sha1 = MessageDigest.getInstance("SHA-1").digest("pw".getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("users"), "u:{SHA}" + Base64.getEncoder().encodeToString(sha1));
    backend = TestBackend.start("b");
    endless = new EndlessErrorBackend();
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d}
        upstreams:
          - {name: app, endpoints: [{address: "%2$s"}]}
          - {name: dead, endpoints: [{address: "127.0.0.1:%3$d"}]}
          - {name: endless, endpoints: [{address: "%4$s"}]}
        routes:
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%5$s/www"}
            error_pages: [{codes: [404], target: /index.html}]
          - name: spa
            match: {path: {prefix: /app/}}
            static: {root: "%5$s/www"}
            error_pages: [{codes: [404], target: /index.html, status: 200}]
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app, rewrite: {regex: "^/api(/.*)$", replacement: "$1"}}
            intercept_errors: true
            error_pages: [{codes: [500, 502, 503, 504], target: /50x.html}]
          - name: plain
            match: {path: {prefix: /plain/}}
            proxy: {upstream: app, rewrite: {regex: "^/plain(/.*)$", replacement: "$1"}}
            error_pages: [{codes: [500, 502, 503, 504], target: /50x.html}]
          - name: down
            match: {path: {prefix: /down/}}
            proxy: {upstream: dead}
            error_pages: [{codes: [502], target: /50x.html}]
          - name: away
            match: {path: {exact: /away}}
            respond: {status: 404, body: "gone"}
            error_pages: [{codes: [404], target: "http://example.test/", status: 301}]
          - name: own
            match: {path: {prefix: /own/}}
            static: {root: "%5$s/nothing"}
            error_pages: [{codes: [404], target: /index.html, page_status: true}]
          - name: loop
            match: {path: {prefix: /loop/}}
            static: {root: "%5$s/nothing"}
            error_pages: [{codes: [404], target: /missing-page.html}]
          - name: private
            match: {path: {prefix: /private/}}
            static: {root: "%5$s/www"}
            access: {rules: [{allow: false, source: all}]}
            error_pages: [{codes: [403], target: /50x.html}]
          - name: auth
            match: {path: {prefix: /auth/}}
            static: {root: "%5$s/www"}
            basic_auth: {enabled: true, realm: R, user_file: "%5$s/users"}
            error_pages: [{codes: [401], target: /50x.html}]
          - name: upload
            match: {path: {prefix: /upload/}}
            proxy: {upstream: app}
            max_body_size: 1k
            error_pages: [{codes: [413], target: /50x.html}]
          - name: endless
            match: {path: {prefix: /endless/}}
            proxy: {upstream: endless}
            intercept_errors: true
            error_pages: [{codes: [500], target: /50x.html}]
        """
                    .formatted(
                        ports.next(),
                        backend.endpoint(),
                        ports.next(),
                        endless.endpoint(),
                        dir.toString().replace('\\', '/')));
  }

  @AfterAll
  static void stop() throws IOException {
    node.close();
    backend.close();
    endless.close();
  }

  private static RawHttp.Response get(RawHttp http, String target) throws IOException {
    return http.exchange("GET " + target + " HTTP/1.1\r\nHost: site.test\r\n\r\n");
  }

  private static RawHttp.Response get(String target) throws IOException {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return get(http, target);
    }
  }

  @Test
  void aMissingFileIsAnsweredFromTheSpaIndexWithItsOwnStatusOrTheOneGiven() throws Exception {
    RawHttp.Response notFound = get("/some/deep/link");
    assertEquals(404, notFound.status());
    assertEquals(INDEX, notFound.body());
    assertEquals("text/html", notFound.headers().get("content-type"));
    RawHttp.Response ok = get("/app/settings");
    assertEquals(200, ok.status());
    assertEquals(INDEX, ok.body());
  }

  @Test
  void anInterceptedEndpointErrorIsReplacedAndItsBodyNeverReachesTheClient() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r = get(http, "/api/status/503?x=1");
      assertEquals(503, r.status());
      assertEquals(SORRY, r.body());
      RecordedRequest seen = backend.takeRequest(BOUND);
      assertEquals("GET", seen.method());
      assertEquals("/status/503?x=1", seen.uri());
      // the connection goes on, and so does the endpoint's: its whole 503 was read
      RawHttp.Response next = get(http, "/api/status/200");
      assertEquals(200, next.status());
      assertEquals("status 200\n", next.body());
      RecordedRequest second = backend.takeRequest(BOUND);
      assertEquals(seen.connectionNumber(), second.connectionNumber());
    }
  }

  @Test
  void withoutInterceptTheEndpointsErrorPassesButWharfsOwnGetsThePage() throws Exception {
    RawHttp.Response passed = get("/plain/status/500");
    assertEquals(500, passed.status());
    assertEquals("status 500\n", passed.body());
    backend.takeRequest(BOUND);
    RawHttp.Response dead = get("/down/x");
    assertEquals(502, dead.status());
    assertEquals(SORRY, dead.body());
  }

  @Test
  void aPostGetsThePageAndTheConnectionStaysInStep() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r =
          http.exchange(
              "POST /api/status/500 HTTP/1.1\r\nHost: site.test\r\nContent-Length: 5\r\n\r\nhello");
      assertEquals(500, r.status());
      assertEquals(SORRY, r.body());
      RecordedRequest seen = backend.takeRequest(BOUND);
      assertEquals("POST", seen.method());
      assertEquals("hello", new String(seen.body(), StandardCharsets.UTF_8));
      RawHttp.Response head = http.exchange("HEAD /nowhere HTTP/1.1\r\nHost: site.test\r\n\r\n");
      assertEquals(404, head.status());
      assertEquals("", head.body());
      assertEquals(String.valueOf(INDEX.length()), head.headers().get("content-length"));
    }
  }

  @Test
  void wharfsOwnRefusalsGetThePageAndTheBackendSeesNothing() throws Exception {
    RawHttp.Response denied = get("/private/x");
    assertEquals(403, denied.status());
    assertEquals(SORRY, denied.body());
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response tooLarge =
          http.exchange(
              "POST /upload/x HTTP/1.1\r\nHost: site.test\r\nContent-Length: 5000\r\n\r\n");
      assertEquals(413, tooLarge.status());
      assertEquals(SORRY, tooLarge.body());
      assertEquals("close", tooLarge.headers().get("connection"), "the body was never read");
      assertTrue(http.closedByServer());
    }
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void aPageFor401KeepsTheChallenge() throws Exception {
    RawHttp.Response r = get("/auth/x");
    assertEquals(401, r.status());
    assertEquals(SORRY, r.body());
    assertEquals("Basic realm=\"R\"", r.headers().get("www-authenticate"));
  }

  @Test
  void aUrlTargetRedirectsWithTheGivenStatus() throws Exception {
    RawHttp.Response r = get("/away");
    assertEquals(301, r.status());
    assertEquals("http://example.test/", r.headers().get("location"));
  }

  @Test
  void anEqualsSignAloneKeepsThePagesOwnStatus() throws Exception {
    RawHttp.Response r = get("/own/x");
    assertEquals(200, r.status());
    assertEquals(INDEX, r.body());
  }

  @Test
  void aPageThatFailsItselfIsAnsweredPlainWithoutASecondRedirect() throws Exception {
    // /missing-page.html is a 404 of the site route, which has a page for 404: not used again
    RawHttp.Response r = get("/loop/x");
    assertEquals(404, r.status());
    assertEquals("404 Not Found\n", r.body());
  }

  @Test
  void conditionalHeadersDoNotTurnThePageInto304() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r =
          http.exchange(
              "GET /nowhere HTTP/1.1\r\nHost: site.test\r\nIf-None-Match: *\r\n"
                  + "Range: bytes=0-1\r\n\r\n");
      assertEquals(404, r.status());
      assertEquals(INDEX, r.body());
      assertNull(r.headers().get("content-range"));
    }
  }

  @Test
  void anEndlessInterceptedBodyIsNotReadOnAndItsConnectionIsClosed() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response r = get(http, "/endless/x");
      assertEquals(500, r.status());
      assertEquals(SORRY, r.body());
      assertTrue(endless.closed.await(BOUND.toSeconds(), TimeUnit.SECONDS), "endpoint closed");
      assertFalse(
          new String(r.bytes(), StandardCharsets.ISO_8859_1).contains("xxxx"),
          "no byte of the endpoint's body");
      RawHttp.Response next = get(http, "/index.html");
      assertEquals(200, next.status());
    }
    Await.until(BOUND, () -> endless.sent.get() > 0, () -> "sent " + endless.sent.get());
  }

  /**
   * An endpoint answering every request with a chunked 500 whose body never ends: chunk after chunk
   * until its connection is closed.
   */
  private static final class EndlessErrorBackend implements AutoCloseable {
    final ServerSocket server;
    final CountDownLatch closed = new CountDownLatch(1);
    final AtomicLong sent = new AtomicLong();
    private final Thread thread;

    EndlessErrorBackend() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(this::serve, "endless-500");
      thread.setDaemon(true);
      thread.start();
    }

    String endpoint() {
      return "127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          readHead(s.getInputStream());
          OutputStream out = s.getOutputStream();
          byte[] chunk = new byte[4096];
          Arrays.fill(chunk, (byte) 'x');
          byte[] sized = new byte[6 + chunk.length + 2];
          System.arraycopy("1000\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, sized, 0, 6);
          System.arraycopy(chunk, 0, sized, 6, chunk.length);
          sized[sized.length - 2] = '\r';
          sized[sized.length - 1] = '\n';
          // The head goes out in one write with the first chunk, so the node cannot have seen the
          // status (and closed) before the body's first bytes were on their way: a fast close
          // cannot leave "sent" at 0.
          byte[] head =
              ("HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n"
                      + "Content-Type: text/plain\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1);
          byte[] first = Arrays.copyOf(head, head.length + sized.length);
          System.arraycopy(sized, 0, first, head.length, sized.length);
          out.write(first);
          out.flush();
          sent.addAndGet(chunk.length);
          while (true) {
            out.write(sized);
            out.flush();
            sent.addAndGet(chunk.length);
          }
        } catch (IOException e) {
          if (!server.isClosed()) {
            closed.countDown(); // the node closed the connection: the write failed
          }
        }
      }
    }

    private static void readHead(InputStream in) throws IOException {
      int state = 0;
      int c;
      while (state < 4 && (c = in.read()) != -1) {
        state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : 0;
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
