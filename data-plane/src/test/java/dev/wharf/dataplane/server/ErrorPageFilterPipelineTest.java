package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The error-page filter joins a connection's pipeline only at the first request whose route has
 * pages: a connection whose requests meet no such route never has it (no handler, no outbound hop
 * per write), and one that meets it later gets it then, with its page.
 */
@ExtendWith(NettyLeakExtension.class)
class ErrorPageFilterPipelineTest {
  private static final String CONFIG =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: 8080}
      routes:
        - name: plain
          match: {path: {prefix: /plain/}}
          respond: {status: 404, body: "plain 404"}
        - name: paged
          match: {path: {prefix: /paged/}}
          respond: {status: 404, body: "never seen"}
          error_pages: [{codes: [404], target: /page}]
        - name: page
          match: {path: {exact: /page}}
          respond: {status: 200, body: "the page"}
      """;

  private final EmbeddedProxyNode node = new EmbeddedProxyNode(CONFIG);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  @Test
  void aConnectionWhoseRoutesHaveNoPagesNeverHasTheFilterAndOneThatMeetsPagesGetsIt() {
    assertNull(client.pipeline().get(ErrorPageFilter.NAME), "before any request");
    for (int i = 0; i < 3; i++) {
      send(client, "GET /plain/x HTTP/1.1\r\nHost: a.test\r\n\r\n");
      String plain = written(client);
      assertTrue(plain.startsWith("HTTP/1.1 404 ") && plain.endsWith("plain 404"), plain);
      assertNull(client.pipeline().get(ErrorPageFilter.NAME), client.pipeline().names().toString());
    }

    send(client, "GET /paged/x HTTP/1.1\r\nHost: a.test\r\n\r\n");
    String paged = written(client);
    assertTrue(paged.startsWith("HTTP/1.1 404 ") && paged.endsWith("the page"), paged);
    assertNotNull(
        client.pipeline().get(ErrorPageFilter.NAME), client.pipeline().names().toString());
  }
}
