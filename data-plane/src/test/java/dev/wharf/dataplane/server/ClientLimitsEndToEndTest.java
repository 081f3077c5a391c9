package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's client timeouts and the access log, through a real node: what a slow or idle client sees,
 * and the line each request leaves in the log.
 */
@ExtendWith(NettyLeakExtension.class)
class ClientLimitsEndToEndTest {
  @TempDir Path dir;
  private TestBackend backend;
  private TestNode node;
  private InetSocketAddress web;
  private InetSocketAddress noKeepAlive;

  /**
   * Listeners with short timeouts, for the tests of those timeouts only: a 300 ms timeout on the
   * listener every test uses would close a happy-path connection that a loaded machine paused.
   * {@code slowhead} has a short header timeout (counted from the accept); {@code impatient} short
   * body and keep-alive timeouts and the default header timeout, so a request that is sent late
   * still gets its answer.
   */
  private InetSocketAddress slowHead;

  private InetSocketAddress impatient;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
            access_log: {path: "%s"}
          - name: slowhead
            address: 127.0.0.1
            port: %d
            client_header_timeout: 300ms
          - name: impatient
            address: 127.0.0.1
            port: %d
            client_body_timeout: 300ms
            keepalive_timeout: 300ms
          - name: nokeep
            address: 127.0.0.1
            port: %d
            keepalive_timeout: 0s
            access_log:
              path: "%s"
              encoding: json
              fields: [request, status, upstream_addr, upstream_status, route_missing]
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: app
            match: {path: {prefix: /}}
            proxy: {upstream: app}
        """
                    .formatted(
                        ports.next(),
                        dir.resolve("access.log"),
                        ports.next(),
                        ports.next(),
                        ports.next(),
                        dir.resolve("access.json"),
                        backend.endpoint())
                    .replace(", route_missing", ""));
    web = node.address("web");
    noKeepAlive = node.address("nokeep");
    slowHead = node.address("slowhead");
    impatient = node.address("impatient");
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  /** Reads from a raw connection until the server closes it; returns what it sent. */
  private static String readUntilClosed(Socket socket) throws Exception {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aHeadThatDoesNotArriveInTimeIsClosedWithoutAnAnswer() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(slowHead);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes());

      assertEquals("", readUntilClosed(socket), "nginx closes without a response");
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
    try (RawHttp http = new RawHttp(impatient)) {
      long sent = System.nanoTime(); // before the timer can start: the bound below is exact
      assertEquals(200, http.exchange("GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n").status());

      assertTrue(http.closedByServer());
      // "After" the 300 ms timeout, not at once (a lower bound does not flake under load). The
      // exact bound, and a request resetting the timer: IdleTimersEmbeddedTest, in ticker time.
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      assertTrue(millis >= 290, "closed " + millis + " ms after the request was sent");
    }
  }

  @Test
  void aBodyThatStopsComingIs408() throws Exception {
    try (RawHttp http = new RawHttp(impatient)) {
      RawHttp.Response r =
          http.exchange("POST /upload HTTP/1.1\r\nHost: a\r\n" + "Content-Length: 10\r\n\r\nabc");

      assertEquals(408, r.status());
      assertTrue(http.closedByServer());
    }
  }

  @Test
  void keepAliveTimeoutZeroClosesAfterEachResponse() throws Exception {
    try (RawHttp http = new RawHttp(noKeepAlive)) {
      RawHttp.Response r = http.exchange("GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals("close", r.headers().get("connection"));
      assertTrue(http.closedByServer());
    }
  }

  @Test
  void anAccessLogThatCannotBeOpenedIsAConfigErrorAndChangesNothing() throws Exception {
    String broken =
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
          - {name: other, address: 127.0.0.1, port: %d, access_log: {path: "%s"}}
        """;
    Path unopenable = dir.resolve("missing-dir").resolve("a.log");

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> node.apply(ports -> broken.formatted(web.getPort(), ports.next(), unopenable)));

    assertEquals("listeners[1].access_log.path", e.errors().get(0).path());
    try (RawHttp http = new RawHttp(web)) {
      assertEquals(
          200,
          http.exchange("GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n").status(),
          "the old config still serves");
    }
  }

  @Test
  void eachRequestLeavesAnNginxStyleLineOrAJsonObject() throws Exception {
    try (RawHttp http = new RawHttp(web)) {
      http.exchange(
          "GET /status/201?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: probe/1\r\n"
              + "Referer: http://r/\r\n\r\n");
    }
    try (RawHttp http = new RawHttp(noKeepAlive)) {
      http.exchange("GET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n");
    }
    node.close(); // flushes and closes the logs

    String text = Files.readString(dir.resolve("access.log"));
    String json = Files.readString(dir.resolve("access.json"));
    assertTrue(
        text.matches(
            "127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d "
                + "[+-]\\d{4}] \"GET /status/201\\?x=1 HTTP/1\\.1\" 201 11 \"http://r/\" \"probe/1\" "
                + "\\d+\\.\\d{3} \\d+\\.\\d{3}\n"),
        text);
    assertEquals(
        "{\"request\":\"GET /status/202 HTTP/1.1\",\"status\":\"202\","
            + "\"upstream_addr\":\""
            + backend.endpoint()
            + "\",\"upstream_status\":\"202\"}\n",
        json);
  }
}
