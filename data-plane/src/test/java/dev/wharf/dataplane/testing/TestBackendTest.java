package dev.wharf.dataplane.testing;

import static dev.wharf.dataplane.testing.Http.header;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each behaviour of {@link TestBackend}, as real JDK clients and plain sockets see it. */
@ExtendWith(NettyLeakExtension.class)
// Generous on a loaded 2-core machine: a 2 MiB echo took 4.9 s at load 23, over the old 5 s.
@Timeout(60)
class TestBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** For the WebSocket tests, which record frame by frame: {@link WsClient} keeps messages. */
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private TestBackend backend;

  @BeforeEach
  void startBackend() {
    backend = TestBackend.start("b1");
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  @Test
  void aRequestNoTestTookFailsTheCheckOnceNamingIt() throws Exception {
    send(HttpRequest.newBuilder(uri("/status/200")));
    send(HttpRequest.newBuilder(uri("/dup")).POST(HttpRequest.BodyPublishers.ofString("x")));
    send(HttpRequest.newBuilder(uri("/dup")).POST(HttpRequest.BodyPublishers.ofString("x")));
    backend.takeRequest(WAIT);

    AssertionError e = assertThrows(AssertionError.class, backend::assertNoUnconsumedRequests);
    assertTrue(e.getMessage().contains("2 request(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("[POST /dup, POST /dup]"), e.getMessage());
    backend.assertNoUnconsumedRequests(); // taken by the failed check: one stray fails one test
  }

  @Test
  void echoReturnsTheBodyAndDescribesTheRequestInHeaders() throws Exception {
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(uri("/some/path?x=1&y"))
                .header("x-test", "yes")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));

    assertEquals(200, response.statusCode());
    assertEquals("hello", new String(response.body(), UTF_8));
    assertEquals("application/octet-stream", header(response, "content-type"));
    assertEquals("POST", header(response, "x-echo-method"));
    assertEquals("/some/path?x=1&y", header(response, "x-echo-uri"));
    assertEquals("b1", header(response, "x-backend"));
    assertEquals("1", header(response, "x-connection"));

    RecordedRequest request = backend.takeRequest(WAIT);
    assertEquals("POST", request.method());
    assertEquals("/some/path?x=1&y", request.uri());
    assertEquals("yes", request.header("X-Test"));
    assertEquals("hello", new String(request.body(), UTF_8));
    assertEquals(1, request.connectionNumber());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
    try (RawHttp raw = new RawHttp(backend.address())) {
      raw.send(
          "PUT /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
              + "Content-Length: 5\r\n\r\n");
      assertEquals(100, raw.read(false).status());

      raw.send("12345");
      RawHttp.Response response = raw.read(false);
      assertEquals(200, response.status());
      assertEquals("12345", response.body());
    }
    assertEquals("100-continue", backend.takeRequest(WAIT).header("expect"));
  }

  @Test
  void requestsNotTakenAreCountedAsPending() throws Exception {
    get("/a");
    get("/b");

    assertEquals(2, backend.pendingRequests());
    assertEquals("/a", backend.takeRequest(WAIT).uri());
    assertEquals(1, backend.pendingRequests());
    assertEquals("/b", backend.takeRequest(WAIT).uri());
    assertThrows(AssertionError.class, () -> backend.takeRequest(Duration.ofMillis(50)));
  }

  @Test
  void statusPathAnswersThatStatusWithAShortBody() throws Exception {
    HttpResponse<byte[]> response = get("/status/503");

    assertEquals(503, response.statusCode());
    assertEquals("status 503\n", new String(response.body(), UTF_8));
    assertEquals("b1", header(response, "x-backend"));

    HttpResponse<byte[]> noContent = get("/status/204");
    assertEquals(204, noContent.statusCode());
    assertEquals(0, noContent.body().length);
  }

  @Test
  void bytesPathStreamsTheCountingPatternWithContentLength() throws Exception {
    HttpResponse<byte[]> response = get("/bytes/100000");

    assertEquals(200, response.statusCode());
    assertEquals("100000", header(response, "content-length"));
    assertFalse(response.headers().firstValue("transfer-encoding").isPresent());
    assertPattern(100_000, response.body());
  }

  @Test
  void chunkedPathStreamsTheCountingPatternChunked() throws Exception {
    HttpResponse<byte[]> response = get("/chunked/100000");

    assertEquals(200, response.statusCode());
    assertEquals("chunked", header(response, "transfer-encoding"));
    assertFalse(response.headers().firstValue("content-length").isPresent());
    assertPattern(100_000, response.body());
  }

  @Test
  void connectionsAreKeptAliveUntilCloseParameterEndsThem() throws Exception {
    assertEquals("1", header(get("/first"), "x-connection"));
    assertEquals("1", header(get("/second"), "x-connection"));

    HttpResponse<byte[]> closing = get("/third?close=1");
    assertEquals("1", header(closing, "x-connection"));
    assertEquals("close", header(closing, "connection"));

    assertEquals("2", header(get("/fourth"), "x-connection"));
    assertEquals(2, backend.connectionsAccepted());
  }

  @Test
  void clientConnectionCloseEndsTheConnectionAfterTheResponse() throws Exception {
    try (RawHttp raw = new RawHttp(backend.address())) {
      RawHttp.Response first = raw.exchange("GET /kept HTTP/1.1\r\nHost: test\r\n\r\n");
      assertEquals(200, first.status());
      assertEquals(1, backend.openConnections());

      RawHttp.Response last =
          raw.exchange("GET /last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
      assertEquals(200, last.status());
      assertEquals("close", last.headers().get("connection"));
      assertTrue(raw.closedByServer());
    }
  }

  @Test
  void resetPathAbortsTheConnectionWithRstAndNoResponse() throws Exception {
    assertThrows(IOException.class, () -> get("/reset"));

    try (Socket socket = connect()) {
      write(socket, "GET /reset HTTP/1.1\r\nHost: test\r\n\r\n");
      SocketException e = assertThrows(SocketException.class, () -> socket.getInputStream().read());
      assertTrue(e.getMessage().contains("reset"), e.getMessage());
    }
    assertEquals("/reset", backend.takeRequest(WAIT).uri());
  }

  @Test
  void closePathEndsTheConnectionWithFinAndNoResponse() throws Exception {
    try (Socket socket = connect()) {
      write(socket, "GET /close HTTP/1.1\r\nHost: test\r\n\r\n");

      assertEquals(-1, socket.getInputStream().read());
    }
  }

  @Test
  void stallPathReadsTheWholeRequestButNeverAnswers() {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/stall"))
            .timeout(Duration.ofMillis(300))
            .POST(HttpRequest.BodyPublishers.ofString("patience"));

    assertThrows(HttpTimeoutException.class, () -> send(request));
    assertEquals("patience", new String(backend.takeRequest(WAIT).body(), UTF_8));
  }

  @Test
  void stallAfterHeadSendsTenOfTheHundredPromisedBytes() throws Exception {
    try (Socket socket = connect()) {
      write(socket, "GET /stall-after-head HTTP/1.1\r\nHost: test\r\n\r\n");
      InputStream in = socket.getInputStream();

      String head = readHead(in).toLowerCase();
      assertTrue(head.startsWith("http/1.1 200"), head);
      assertTrue(head.contains("content-length: 100\r\n"), head);
      assertPattern(10, in.readNBytes(10));
      socket.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, in::read);
    }
  }

  @Test
  void noReadPathStopsReadingSoALargeBodyBacksUp() throws Exception {
    long declared = 512L * 1024 * 1024;
    try (SocketChannel channel = SocketChannel.open(backend.address());
        Selector selector = Selector.open()) {
      channel.write(
          ByteBuffer.wrap(
              ("POST /no-read HTTP/1.1\r\nHost: test\r\nContent-Length: " + declared + "\r\n\r\n")
                  .getBytes(US_ASCII)));
      assertEquals("/no-read", backend.takeRequest(WAIT).uri());

      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_WRITE);
      ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
      long written = 0;
      boolean backedUp = false;
      while (!backedUp && written < declared) {
        chunk.clear();
        int n = channel.write(chunk);
        written += n;
        // no room for 300 ms: both socket buffers are full, so nobody is reading
        backedUp = n == 0 && selector.select(300) == 0;
        selector.selectedKeys().clear();
      }
      assertTrue(backedUp, "the whole body was accepted: " + written + " bytes");
    }
  }

  @Test
  void slowPathAnswersAfterTheRequestedDelay() throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> response = get("/slow?ms=200");
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertEquals(200, response.statusCode());
    assertEquals("slow\n", new String(response.body(), UTF_8));
    assertTrue(elapsedMillis >= 200, "answered after " + elapsedMillis + " ms");
  }

  @Test
  void webSocketEchoesFramesOneForOneAndAnswersPingAndClose() throws Exception {
    RecordingListener listener = new RecordingListener();
    WebSocket ws = connectWebSocket("/ws/echo", listener);

    await(ws.sendText("hello", true));
    assertEquals("text:hello", listener.next());

    await(ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true));
    assertEquals("binary:[1, 2, 3]", listener.next());

    await(ws.sendPing(ByteBuffer.wrap("anyone?".getBytes(UTF_8))));
    assertEquals("pong:anyone?", listener.next());

    await(ws.sendText("frag", false));
    await(ws.sendText("ment", true));
    assertEquals("text:frag (more)", listener.next());
    assertEquals("text:ment", listener.next());

    await(ws.sendClose(4001, "bye"));
    assertEquals(4001, backend.takeWebSocketCloseCode(WAIT));
    assertEquals("closed:4001", listener.next(), "the close code is echoed");
    assertTrue(backend.allClientFramesMasked());
  }

  @Test
  void webSocketEchoesTwoMebibyteMessages() throws Exception {
    RecordingListener listener = new RecordingListener();
    WebSocket ws = connectWebSocket("/ws", listener);
    byte[] big = new byte[2 * 1024 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i % 251);
    }

    await(ws.sendBinary(ByteBuffer.wrap(big), true));

    assertEquals("binary:" + big.length + " bytes", listener.next());
    assertArrayEquals(big, listener.lastBinary);
    ws.abort();
  }

  @Test
  void closeCommandMakesTheBackendCloseWithThatCode() throws Exception {
    RecordingListener listener = new RecordingListener();
    WebSocket ws = connectWebSocket("/ws", listener);

    await(ws.sendText("close:4000", true));

    assertEquals("closed:4000", listener.next());
    // the JDK client answers a close with the same code, completing the handshake
    assertEquals(4000, backend.takeWebSocketCloseCode(WAIT));
  }

  @Test
  void aCloseFrameWithoutCodeIsRecordedAs1005() throws Exception {
    try (Socket socket = connect()) {
      upgrade(socket, "/ws");
      // FIN + close opcode, masked, empty payload
      socket.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x80, 1, 2, 3, 4});

      assertEquals(1005, backend.takeWebSocketCloseCode(WAIT));
      InputStream in = socket.getInputStream();
      assertArrayEquals(new byte[] {(byte) 0x88, 0}, in.readNBytes(2), "empty close echoed");
      assertEquals(-1, in.read());
    }
  }

  @Test
  void unmaskedClientFramesAreNoticedAndRefused() throws Exception {
    try (Socket socket = connect()) {
      upgrade(socket, "/ws");
      assertTrue(backend.allClientFramesMasked());

      // FIN + text opcode, not masked, payload "hi"
      socket.getOutputStream().write(new byte[] {(byte) 0x81, 2, 'h', 'i'});

      InputStream in = socket.getInputStream();
      assertEquals(0x88, in.read(), "a close frame");
      byte[] payload = in.readNBytes(in.read());
      assertEquals(1002, ((payload[0] & 0xff) << 8) | (payload[1] & 0xff), "protocol error");
      assertEquals(-1, in.read());
    }
    assertFalse(backend.allClientFramesMasked());
  }

  @Test
  void wsRejectAnswersAnUpgradeWith403() throws Exception {
    try (RawHttp raw = new RawHttp(backend.address())) {
      RawHttp.Response response =
          raw.exchange(
              "GET /ws-reject HTTP/1.1\r\nHost: test\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

      assertEquals(403, response.status());
      assertEquals("no websocket here\n", response.body());
      assertEquals("b1", response.headers().get("x-backend"));
    }

    CompletableFuture<WebSocket> refused =
        CLIENT
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://" + backend.endpoint() + "/ws-reject"), new RecordingListener());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> refused.get(5, TimeUnit.SECONDS));
    WebSocketHandshakeException handshake =
        assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
  }

  // ---- helpers

  private URI uri(String target) {
    return URI.create("http://" + backend.endpoint() + target);
  }

  private HttpResponse<byte[]> get(String target) throws Exception {
    return send(HttpRequest.newBuilder(uri(target)));
  }

  private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
    return Http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void assertPattern(int length, byte[] body) {
    assertEquals(length, body.length);
    for (int i = 0; i < length; i++) {
      if (body[i] != (byte) (i % 251)) {
        assertEquals((byte) (i % 251), body[i], "byte " + i);
      }
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(backend.address(), 5_000);
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(US_ASCII));
    socket.getOutputStream().flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        throw new IOException("closed inside the head: " + head.toString(US_ASCII));
      }
      head.write(c);
    }
    return head.toString(US_ASCII);
  }

  private static void upgrade(Socket socket, String path) throws IOException {
    write(
        socket,
        "GET "
            + path
            + " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n");
    String head = readHead(socket.getInputStream());
    assertTrue(head.startsWith("HTTP/1.1 101"), head);
    assertTrue(head.contains("x-backend: b1\r\n"), head);
  }

  private WebSocket connectWebSocket(String path, RecordingListener listener) throws Exception {
    return CLIENT
        .newWebSocketBuilder()
        .buildAsync(URI.create("ws://" + backend.endpoint() + path), listener)
        .get(5, TimeUnit.SECONDS);
  }

  private static void await(CompletableFuture<?> send) throws Exception {
    send.get(5, TimeUnit.SECONDS);
  }

  /**
   * Turns what the JDK client receives into strings, one per frame for text (so fragmentation is
   * visible) and one per whole message for binary.
   */
  private static final class RecordingListener implements WebSocket.Listener {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private volatile byte[] lastBinary;

    String next() throws InterruptedException {
      String event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (event == null) {
        throw new AssertionError("the WebSocket client received nothing within " + WAIT);
      }
      return event;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      events.add("text:" + data + (last ? "" : " (more)"));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] part = new byte[data.remaining()];
      data.get(part);
      binary.writeBytes(part);
      if (last) {
        lastBinary = binary.toByteArray();
        binary.reset();
        events.add(
            "binary:"
                + (lastBinary.length <= 8
                    ? Arrays.toString(lastBinary)
                    : lastBinary.length + " bytes"));
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      events.add("pong:" + UTF_8.decode(message));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      events.add("closed:" + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      events.add("error:" + error);
    }
  }
}
