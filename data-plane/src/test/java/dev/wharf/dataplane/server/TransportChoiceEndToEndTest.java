package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.MissingTool;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each transport {@code --transport} can force proxies the same bytes: kept-alive requests from a
 * real socket reach a real backend and come back whole, the client and upstream connections reused.
 */
@ExtendWith(NettyLeakExtension.class)
class TransportChoiceEndToEndTest {

  @ParameterizedTest
  @EnumSource(Transport.class)
  void keptAliveRequestsAreProxiedOnEveryTransport(Transport transport) throws Exception {
    // A kernel without io_uring (or with it disabled by sysctl) cannot run that one at all: a
    // skip outside CI, a failure under CI, whose machines run every transport the node offers.
    if (!transport.available()) {
      MissingTool.missing(transport + ": " + transport.unavailabilityCause());
    }
    try (TestBackend backend = TestBackend.start("from-backend");
        TestNode node =
            TestNode.builder()
                .transport(transport)
                .start(
                    ports ->
                        """
                        listeners:
                          - {name: web, address: 127.0.0.1, port: %d}
                        upstreams:
                          - name: app
                            endpoints: [{address: "%s"}]
                        routes:
                          - name: api
                            match: {path: {prefix: /}}
                            proxy: {upstream: app}
                        """
                            .formatted(ports.next(), backend.endpoint()));
        RawHttp http = new RawHttp(node.address("web"))) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r =
            http.exchange("GET /item/" + i + " HTTP/1.1\r\nHost: a\r\nX-N: " + i + "\r\n\r\n");
        assertEquals(200, r.status(), transport + " request " + i);
        assertEquals("from-backend", r.headers().get("x-backend"), r.headers().toString());
        RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
        assertEquals("/item/" + i, got.uri());
        assertEquals(String.valueOf(i), got.header("X-N"));
      }
    }
  }

  @Test
  void anUnknownTransportNameIsRefusedWithTheChoices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Transport.choose("kqueue"));
    assertEquals("--transport: kqueue (expected: auto, epoll, io_uring or nio)", e.getMessage());
  }

  @Test
  void autoLeavesTheChoiceToTheMachine() {
    Transport.choose("auto");
    assertEquals(Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO, Transport.best());
  }
}
