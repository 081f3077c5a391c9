package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.CommandRunner;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener's {@code https_redirect}, as nginx's {@code return 301 https://$host$request_uri} in a
 * port-80 server: every request is answered before any route is looked at, so the proxy route the
 * listeners share never reaches the backend. nginx 1.22.1 on the same requests (checked by hand)
 * sends the same status and Location, and a small HTML body where Wharf sends none.
 */
@ExtendWith(NettyLeakExtension.class)
class HttpsRedirectEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static TestBackend backend;
  private static TestNode node;
  private static InetSocketAddress plain;
  private static InetSocketAddress alt;
  private int acceptedBefore;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node = TestNode.start(ports -> config(ports.next(), ports.next(), ports.next(), null));
    plain = node.address("plain");
    alt = node.address("alt");
  }

  /** Listeners plain (301 to 443), alt (308 to 8443) and direct (no redirect: proxies). */
  private static String config(int plain, int alt, int direct, Path accessLog) {
    return """
        listeners:
          - name: plain
            address: 127.0.0.1
            port: %d
            https_redirect: {}
            %s
          - {name: alt, address: 127.0.0.1, port: %d, https_redirect: {status: 308, port: 8443}}
          - {name: direct, address: 127.0.0.1, port: %d}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: app
            match: {path: {prefix: /}}
            proxy: {upstream: app, websocket: {enabled: true}}
        """
        .formatted(
            plain,
            accessLog == null
                ? ""
                : "access_log: {path: \"%s\", encoding: json, fields: [request, status, sent_http_location, upstream_addr]}"
                    .formatted(accessLog),
            alt,
            direct,
            backend.endpoint());
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  @BeforeEach
  void countBackendConnections() {
    acceptedBefore = backend.connectionsAccepted();
  }

  private void assertBackendNeverReached() {
    assertEquals(acceptedBefore, backend.connectionsAccepted(), "no connection to the backend");
    assertEquals(0, backend.pendingRequests());
  }

  private static RawHttp.Response send(InetSocketAddress address, String raw) throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      return http.exchange(raw);
    }
  }

  @Test
  void curlIsSentToTheSameHostAndUriOverHttpsWithA301() throws Exception {
    CommandRunner.Result curl =
        CommandRunner.run(
            WAIT,
            List.of(
                "curl",
                "-sS",
                "-D",
                "-",
                "-o",
                "/dev/null",
                "-H",
                "Host: shop.example",
                "http://127.0.0.1:" + plain.getPort() + "/cart/view?id=7&next=%2Fhome"));

    assertEquals(0, curl.exitCode(), curl.toString());
    String head = curl.stdout();
    assertTrue(head.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), head);
    assertTrue(
        head.contains("\r\nlocation: https://shop.example/cart/view?id=7&next=%2Fhome\r\n"), head);
    assertTrue(head.contains("\r\ncontent-length: 0\r\n"), head);
    assertBackendNeverReached();
  }

  @Test
  void aConfiguredStatusAndPortAreUsedAndThePortOfTheHostIsReplaced() throws Exception {
    RawHttp.Response r = send(alt, "GET /p?q=1 HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n");

    assertEquals(308, r.status());
    assertEquals("https://shop.example:8443/p?q=1", r.headers().get("location"));
    assertEquals("0", r.headers().get("content-length"));
    assertEquals("", r.body());
    assertBackendNeverReached();
  }

  @Test
  void anIpv6HostLiteralKeepsItsBracketsAndLosesItsPort() throws Exception {
    String raw = "GET /v6?x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n";

    assertEquals("https://[::1]/v6?x", send(plain, raw).headers().get("location"));
    assertEquals("https://[::1]:8443/v6?x", send(alt, raw).headers().get("location"));
    assertBackendNeverReached();
  }

  @Test
  void anAbsoluteFormTargetRedirectsToItsAuthorityAndPath() throws Exception {
    RawHttp.Response r =
        send(plain, "GET http://Other.example:81/p?q HTTP/1.1\r\nHost: elsewhere\r\n\r\n");

    assertEquals(301, r.status());
    assertEquals("https://other.example/p?q", r.headers().get("location"));
    assertBackendNeverReached();
  }

  @Test
  void anEncodedCrLfInTheUriStaysEncodedInTheLocation() throws Exception {
    RawHttp.Response r = send(plain, "GET /a%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(301, r.status());
    assertEquals("https://a/a%0d%0aSet-Cookie:%20x=1", r.headers().get("location"));
    assertNull(r.headers().get("set-cookie"));
    assertBackendNeverReached();
  }

  @Test
  void aHostThatIsNotAnAuthorityIs400WithoutALocation() throws Exception {
    for (String host : List.of("a b", "a/b", "u@a", "a..b")) {
      try (RawHttp http = new RawHttp(plain)) {
        RawHttp.Response r = http.exchange("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");

        assertEquals(400, r.status(), host);
        assertNull(r.headers().get("location"), host);
        assertTrue(http.closedByServer());
      }
    }
    assertBackendNeverReached();
  }

  @Test
  void aWebSocketHandshakeGetsTheSameRedirectAndNoUpgrade() throws Exception {
    RawHttp.Response r =
        send(
            plain,
            "GET /chat HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");

    assertEquals(301, r.status());
    assertEquals("https://chat.example/chat", r.headers().get("location"));
    assertNull(r.headers().get("upgrade"));
    assertBackendNeverReached();
  }

  @Test
  void anHttp10RequestWithoutHostIsSentToTheAddressItArrivedOn() throws Exception {
    RawHttp.Response r = send(plain, "GET /old HTTP/1.0\r\n\r\n");

    assertEquals(301, r.status());
    assertEquals("https://127.0.0.1/old", r.headers().get("location"));
    assertBackendNeverReached();
  }

  @Test
  void requestsWithBodiesAndHeadRequestsAreRedirectedOnOneKeptAliveConnection() throws Exception {
    try (RawHttp http = new RawHttp(plain)) {
      RawHttp.Response post =
          http.exchange("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
      RawHttp.Response head = http.exchange("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response get = http.exchange("GET /g HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals("https://a/form", post.headers().get("location"));
      assertEquals(301, head.status());
      assertEquals("https://a/h", head.headers().get("location"));
      assertEquals("https://a/g", get.headers().get("location"));
      assertFalse("close".equals(get.headers().get("connection")));
    }
    assertBackendNeverReached();
  }

  @Test
  void aListenerWithoutTheRedirectStillProxiesOnTheSameRoute() throws Exception {
    RawHttp.Response r = send(node.address("direct"), "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(200, r.status());
    assertEquals("/echo", backend.takeRequest(WAIT).uri());
  }

  @Test
  void aRedirectIsAccessLoggedWithoutARoute(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.json");
    try (TestNode logged =
        TestNode.start(ports -> config(ports.next(), ports.next(), ports.next(), log))) {
      assertEquals(
          301, send(logged.address("plain"), "GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n").status());
    } // closing the node flushes the log

    assertEquals(
        "{\"request\":\"GET /x?y HTTP/1.1\",\"status\":\"301\",\"sent_http_location\":\"https://a/x?y\",\"upstream_addr\":\"\"}\n",
        Files.readString(log));
    assertBackendNeverReached();
  }
}
