package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.RawH2Client.DATA;
import static dev.wharf.dataplane.http2.RawH2Client.HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http2.RawH2Client.Frame;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WebSocket over HTTP/2 (RFC 8441) shares its connection with an ordinary stream whose response
 * the backend holds for the whole test: on a node drain, and on a config change removing the
 * WebSocket's endpoint, the WebSocket gets its 1001 close frame while that other stream is still
 * held, over h2c as over TLS. The drain policy closes at once ({@code timeout: 0s, spread: 0s}), so
 * the 1001 is due at once; the held stream is released only after the 1001 arrived, and it then
 * finishes whole: the 1001 came by the policy, not with a forced close at the drain's timeout.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2WebSocketDrainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HOST = "h2ws.test";
  private static final String HOLD = "/hold";

  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Issued cert;
  TestBackend backend;
  TestNode node;

  @BeforeAll
  static void issue() {
    pki = TestPki.create(dir);
    cert = pki.rsa("h2-ws-drain", HOST);
  }

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node = TestNode.start(ports -> config(ports.next(), ports.next(), backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private static String config(int tlsPort, int clearPort, String endpoint) {
    return """
        listeners:
          - name: tls
            address: 127.0.0.1
            port: %d
            tls:
              certificates: [{certificate_file: "%s", key_file: "%s"}]
          - name: clear
            address: 127.0.0.1
            port: %d
            http2: {cleartext: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
            drain: {timeout: 0s, spread: 0s}
        routes:
          - {name: all, match: {path: {prefix: /}}, proxy: {upstream: app}}
        """
        .formatted(tlsPort, cert.certificate(), cert.key(), clearPort, endpoint);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void aWebSocketGets1001OnNodeDrainWhileAnotherStreamIsStillHeld(String listener)
      throws Exception {
    try (RawH2Client client = connect(listener)) {
      openWebSocketBesideAHeldStream(client, listener);
      NodeDrain.Settings settings = new NodeDrain.Settings(Duration.ZERO, WAIT);
      CompletableFuture<Integer> drain =
          CompletableFuture.supplyAsync(
              () -> NodeDrain.run(node.node(), settings, System::nanoTime));

      List<Frame> seen = awaitCloseThenReleaseTheHeldStream(client);
      assertEquals("held\n", body(seen, 3), "the held stream finished whole after the 1001");
      assertEquals(0, drain.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS), "connections left");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "clear"})
  void aWebSocketGets1001WhenItsEndpointIsRemovedWhileAnotherStreamIsStillHeld(String listener)
      throws Exception {
    try (TestBackend other = TestBackend.start("other");
        RawH2Client client = connect(listener)) {
      openWebSocketBesideAHeldStream(client, listener);
      node.apply(
          config(node.address("tls").getPort(), node.address("clear").getPort(), other.endpoint()));

      List<Frame> seen = awaitCloseThenReleaseTheHeldStream(client);
      assertEquals("held\n", body(seen, 3), "the held stream finished whole after the 1001");
    }
  }

  private RawH2Client connect(String listener) {
    int port = node.address(listener).getPort();
    return listener.equals("tls")
        ? RawH2Client.tls(pki.clientContext(), HOST, port)
        : RawH2Client.cleartext(port);
  }

  /** Stream 1: a WebSocket that echoed once; stream 3: a request the backend holds. */
  private void openWebSocketBesideAHeldStream(RawH2Client client, String listener) {
    String scheme = listener.equals("tls") ? "https" : "http";
    client.headers(
        1,
        new DefaultHttp2Headers()
            .method("CONNECT")
            .scheme(scheme)
            .authority(HOST)
            .path("/ws")
            .set(":protocol", "websocket")
            .set("sec-websocket-version", "13"),
        false);
    Frame head = client.next(WAIT);
    assertTrue(head != null && head.is(HEADERS), String.valueOf(head));
    assertEquals("200", String.valueOf(head.headers().status()), head.toString());
    client.data(1, maskedFrame(0x1, "hello".getBytes(StandardCharsets.UTF_8)), false);
    Frame echo = client.next(WAIT);
    assertTrue(echo != null && echo.is(DATA) && echo.streamId() == 1, String.valueOf(echo));
    assertEquals("/ws", backend.takeRequest(WAIT).uri(), "the WebSocket's handshake");
    client.get(3, HOST, scheme, HOLD);
    assertEquals(HOLD, backend.takeRequest(WAIT).uri());
  }

  /**
   * Reads until the WebSocket's close frame, asserting the held stream has not ended by then;
   * answers the close, releases the held stream and reads until it ends.
   */
  private List<Frame> awaitCloseThenReleaseTheHeldStream(RawH2Client client) throws Exception {
    List<Frame> seen = new ArrayList<>();
    int code = -1;
    while (code < 0) {
      Frame f = client.next(WAIT);
      assertNotNull(f, "the connection closed before the WebSocket's close frame: " + seen);
      seen.add(f);
      assertTrue(f.streamId() != 3, "stream 3 is held until the 1001 came: " + seen);
      if (f.is(DATA) && f.streamId() == 1) {
        code = closeCode(f.payload());
      }
    }
    assertEquals(1001, code, seen.toString());
    client.data(1, maskedFrame(0x8, new byte[] {0x03, (byte) 0xE9}), true);
    assertEquals(1001, backend.takeWebSocketCloseCode(WAIT), "the backend got 1001 too");
    backend.releaseHeld();
    for (Frame f = client.next(WAIT); f != null; f = client.next(WAIT)) {
      seen.add(f);
      if (f.streamId() == 3 && f.endStream()) {
        break;
      }
    }
    return seen;
  }

  private static byte[] maskedFrame(int opcode, byte[] payload) {
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    frame.write(0x80 | payload.length);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  /** The status code of a server close frame at the start of {@code bytes}, or -1. */
  private static int closeCode(byte[] bytes) {
    if (bytes.length < 4 || (bytes[0] & 0x0F) != 0x8) {
      return -1;
    }
    return ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
  }

  private static String body(List<Frame> frames, int stream) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ended = false;
    for (Frame f : frames) {
      if (f.streamId() == stream) {
        ended |= f.endStream();
        if (f.is(DATA)) {
          bytes.writeBytes(f.payload());
        }
      }
    }
    assertTrue(ended, "stream " + stream + " did not end: " + frames);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
