package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log line of a WebSocket, written when it ends: the request's headers, the response's
 * and the upstream's, maps over them, all as they were at the handshake, although the relay keeps
 * only what the format asks for while the WebSocket lives.
 */
@ExtendWith(NettyLeakExtension.class)
class WebSocketAccessLogTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String HANDSHAKE =
      "GET /ws/log?a=1 HTTP/1.1\r\nHost: Chat.Example:80\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nUser-Agent: probe/1.0 \"q\"\r\nX-Tier: gold\r\n"
          + "X-Multi: one\r\nX-Multi: two\r\nCookie: a=1; sid=s3\r\n\r\n";

  @TempDir static Path dir;
  private static TestBackend backend;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("ws");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
            access_log:
              path: "%s"
              format: >-
                "$request" $status $upstream_status $host $uri $args $arg_a
                "$http_user_agent" $http_x_multi $cookie_sid $tier
                $sent_http_x_added $sent_http_upgrade $upstream_http_upgrade
                $upstream_http_x_backend $body_bytes_sent $proxy_host $server_name|
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        maps:
          - variable: tier
            source: $http_x_tier
            default_value: basic
            entries: [{key: gold, value: premium}]
        routes:
          - name: chat
            match: {path: {prefix: /ws}}
            proxy: {upstream: app}
            response_headers:
              set: [{name: X-Added, value: "$tier-$http_user_agent"}]
        """
                    .formatted(ports.next(), dir.resolve("access.log"), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aWebSocketsLogLineHasTheHeadersOfItsHandshakeWhenItEnds() throws Exception {
    try (RawHttp client = new RawHttp(node.address("web"))) {
      client.send(HANDSHAKE);
      assertEquals(101, client.read(false).status());
    } // the client leaves: the WebSocket ends and its line is written
    Path log = dir.resolve("access.log");
    Await.until(WAIT, () -> read(log).contains("|"), () -> read(log));
    String line = read(log).lines().filter(l -> l.contains("/ws/log")).findFirst().orElseThrow();
    assertEquals(
        "\"GET /ws/log?a=1 HTTP/1.1\" 101 101 chat.example /ws/log a=1 1"
            + " \"probe/1.0 \\x22q\\x22\" one, two s3 premium"
            + " premium-probe/1.0 \\x22q\\x22 websocket - - 0 app -|",
        line);
    assertTrue(read(log).endsWith("\n"), read(log));
  }

  @Test
  void aWebSocketsConnectionIsNoLongerCountedOpenOnceItEnds() throws Exception {
    try (RawHttp client = new RawHttp(node.address("web"))) {
      client.send(HANDSHAKE.replace("/ws/log", "/ws/counted"));
      assertEquals(101, client.read(false).status());
      Await.until(WAIT, () -> active() >= 1, () -> "open: " + active());
    }
    Await.until(WAIT, () -> active() == 0, () -> "still counted open: " + active());
    Timer lifetimes =
        node.registry().find("wharf.connection.duration").tag("listener", "web").timer();
    assertTrue(lifetimes != null && lifetimes.count() >= 1, "the WebSocket's connection lifetime");
  }

  private static double active() {
    Gauge g = node.registry().find("wharf.connections.active").tag("listener", "web").gauge();
    return g == null ? -1 : g.value();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
