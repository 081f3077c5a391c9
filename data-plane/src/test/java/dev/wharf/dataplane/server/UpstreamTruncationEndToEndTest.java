package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real backend that closes before the body it announced is over, behind a real node: the client
 * reads what came and then the end of the connection, never a response that looks complete (nginx
 * closes the client connection alike). {@link UpstreamTruncationTest} has the embedded rows.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamTruncationEndToEndTest {
  private static TestBackend backend;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
                listeners:
                  - {name: web, address: 127.0.0.1, port: %d}
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                routes:
                  - name: app
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                """
                    .formatted(ports.next(), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  /** Everything the client gets for {@code path}, until the node closes the connection. */
  private static String everythingFor(String path) throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      http.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
      return new String(http.readUntilClosed(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void aContentLengthBodyCutOffAtHalfReachesTheClientShortAndClosed() throws Exception {
    String response = everythingFor("/truncated/100");

    assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
    assertTrue(response.contains("\r\ncontent-length: 100\r\n"), response);
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertEquals(50, body.length(), "the 50 bytes that came, then the close: " + response);
  }

  @Test
  void aChunkedBodyCutOffInAChunkReachesTheClientWithoutItsEnd() throws Exception {
    String response = everythingFor("/truncated-chunked/100");

    assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
    assertTrue(response.contains("\r\ntransfer-encoding: chunked\r\n"), response);
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertFalse(body.contains("0\r\n\r\n"), "no last chunk: " + body);
    assertTrue(body.length() <= 50 + 16, "at most what came, framed: " + body);
  }
}
