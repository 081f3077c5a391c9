package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.RawH2Client.DATA;
import static dev.wharf.dataplane.http2.RawH2Client.GOAWAY;
import static dev.wharf.dataplane.http2.RawH2Client.HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http2.RawH2Client.Frame;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code keepalive_timeout} on an HTTP/2 connection, as nginx applies it: a connection without
 * streams is closed with GOAWAY (naming its last stream) once the timeout passes; one whose stream
 * is still running is left alone however long the stream takes.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2IdleCloseTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestBackend backend;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: clear
            address: 127.0.0.1
            port: %d
            keepalive_timeout: 1s
            http2: {cleartext: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - {name: all, match: {path: {prefix: /}}, proxy: {upstream: app}}
        """
                    .formatted(ports.next(), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  private static RawH2Client connect() {
    return RawH2Client.cleartext(node.address("clear").getPort());
  }

  @Test
  void aConnectionWithoutStreamsIsClosedWithGoAwayAfterTheKeepaliveTimeout() {
    try (RawH2Client client = connect()) {
      client.get(1, "h2.test", "http", "/status/204");
      List<Frame> frames = new ArrayList<>();
      Frame f;
      while ((f = client.next(WAIT)) != null) {
        frames.add(f);
      }
      assertEquals(HEADERS, frames.get(0).type(), frames.toString());
      assertEquals("204", String.valueOf(frames.get(0).headers().status()));
      Frame last = frames.get(frames.size() - 1);
      assertTrue(last.is(GOAWAY), frames.toString());
      assertEquals(1, last.goAwayLastStreamId(), "the stream it served");
      assertEquals(0, last.errorCode(), "NO_ERROR");
    }
    Await.until(
        WAIT,
        () -> node.node().openConnections() == 0,
        () -> node.node().openConnections() + " open");
  }

  @Test
  void aConnectionIsNotClosedWhileItsStreamOutlivesTheKeepaliveTimeout() {
    try (RawH2Client client = connect()) {
      client.get(1, "h2.test", "http", "/slow?ms=3000"); // three times the keepalive timeout
      Frame head = client.next(WAIT);
      assertNotNull(head, "closed while the stream was running");
      assertTrue(head.is(HEADERS), head.toString());
      assertEquals("200", String.valueOf(head.headers().status()));
      Frame body = client.next(WAIT);
      assertNotNull(body, "closed while the stream was running");
      assertTrue(body.is(DATA) && body.endStream(), body.toString());
      assertEquals("slow\n", new String(body.payload(), StandardCharsets.UTF_8));

      Frame goAway = client.next(WAIT);
      assertNotNull(goAway, "closed without GOAWAY");
      assertTrue(goAway.is(GOAWAY), goAway.toString());
      assertEquals(1, goAway.goAwayLastStreamId());
      assertNull(client.next(WAIT), "closed after the GOAWAY");
    }
  }
}
