package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's own error (a 502 when no endpoint answers) is logged with the bytes of the body the
 * client got in {@code $body_bytes_sent}, as nginx logs its error page's; a HEAD gets none and logs
 * 0. After it, a request without a body keeps its connection, as nginx's does; one whose body was
 * not read yet (Wharf streams bodies, nginx buffers them first) closes it.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(60)
class ProxyErrorBodyBytesTest {
  @TempDir Path dir;

  @Test
  void a502FromTheProxyLogsTheBytesOfItsBody() throws Exception {
    Path log = dir.resolve("access.log");
    TestNode node =
        TestNode.start(
            ports ->
                """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    access_log: {path: "%s", format: "$request_method|$status|$body_bytes_sent"}
                upstreams:
                  - {name: dead, endpoints: [{address: "127.0.0.1:%d"}]}
                routes:
                  - {name: down, match: {path: {prefix: /}}, proxy: {upstream: dead}}
                """
                    .formatted(ports.next(), log.toString().replace('\\', '/'), ports.next()));
    RawHttp.Response get;
    RawHttp.Response head;
    RawHttp.Response post;
    try (RawHttp http = new RawHttp(node.address("web"))) {
      get = http.exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
      http.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n");
      head = http.read(true);
      // The unread body is a whole request: kept alive, the node would read it as the next one.
      String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
      post =
          http.exchange(
              "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: "
                  + smuggled.length()
                  + "\r\n\r\n"
                  + smuggled);
      assertEquals(true, http.closedByServer(), "the unread body closes the connection");
    } finally {
      node.close(); // flushes the log
    }
    assertEquals(502, get.status());
    assertEquals(502, head.status());
    assertEquals(
        null, get.headers().get("connection"), "kept alive, as nginx after a 502 to a GET");
    assertEquals(502, post.status());
    assertEquals("close", post.headers().get("connection"));
    int body = get.body().getBytes(StandardCharsets.UTF_8).length;
    assertEquals(Integer.parseInt(get.headers().get("content-length")), body);
    assertEquals(
        "GET|502|" + body + "\nHEAD|502|0\nPOST|502|" + body + "\n",
        Files.readString(log),
        "three requests handled, the smuggled GET not among them");
  }
}
