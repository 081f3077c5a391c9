package dev.wharf.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An endpoint removed from the config does not keep the node's idle connections to it. */
@ExtendWith(NettyLeakExtension.class)
class PooledConnectionsRetireTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void idleConnectionsToARemovedEndpointCloseAtOnceAndTheOthersStay() throws Exception {
    try (TestBackend gone = TestBackend.start("gone");
        TestBackend kept = TestBackend.start("kept");
        TestNode node = TestNode.builder().build()) {
      String config =
          """
          listeners: [{name: web, address: 127.0.0.1, port: %d}]
          upstreams:
            - {name: g, endpoints: [{address: "%s"}]}
            - {name: k, endpoints: [{address: "%s"}]}
          routes:
            - {name: g, match: {path: {prefix: /g/}}, proxy: {upstream: g}}
            - {name: k, match: {path: {prefix: /k/}}, proxy: {upstream: k}}
          """;
      node.apply(ports -> config.formatted(ports.next(), gone.endpoint(), kept.endpoint()));
      int port = node.address("web").getPort();
      for (String path : new String[] {"/g/status/200", "/k/status/200"}) {
        assertEquals(200, Http.get(node.uri("web", path)).statusCode());
      }
      Await.until(
          WAIT,
          () -> gone.openConnections() == 1 && kept.openConnections() == 1,
          () -> "pooled: " + gone.openConnections() + ", " + kept.openConnections());

      node.apply(config.formatted(port, kept.endpoint(), kept.endpoint()));

      Await.until(
          WAIT,
          () -> gone.openConnections() == 0,
          () -> gone.openConnections() + " connection(s) still open to the removed endpoint");
      assertEquals(1, kept.openConnections(), "the kept endpoint's idle connection stays");
    }
  }
}
