package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.H2Node.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.RefusingPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What comes from the upstream side reaches an HTTP/2 client as it reaches an HTTP/1.1 one: a
 * refused connect is retried on the next endpoint ({@code ProxyEndToEndTest}), and the trailers of
 * a chunked response are forwarded (a HEADERS frame ending the stream).
 */
@ExtendWith(NettyLeakExtension.class)
class Http2UpstreamParityTest {
  @RegisterExtension static final RefusingPorts refusing = RefusingPorts.untilTheClassEnds();

  static final String TRAILED =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
          + "Trailer: x-checksum\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n";

  @TempDir static Path dir;
  static TestBackend backend;
  static ServerSocket trailers;
  static H2Node h2;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("two");
    trailers = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(Http2UpstreamParityTest::serveTrailers, "trailer-backend");
    t.setDaemon(true);
    t.start();
    h2 =
        H2Node.start(
            dir,
            "",
            """
        upstreams:
          - name: flaky
            endpoints: [{address: "127.0.0.1:%d"}, {address: "%s"}]
          - name: trailers
            endpoints: [{address: "127.0.0.1:%d"}]
        routes:
          - name: flaky
            match: {path: {prefix: /flaky/}}
            proxy: {upstream: flaky, rewrite: {regex: ^/flaky(/.*), replacement: $1}}
          - name: trailers
            match: {path: {prefix: /trailers}}
            proxy: {upstream: trailers}
        """
                .formatted(refusing.port(), backend.endpoint(), trailers.getLocalPort()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (trailers != null) {
      trailers.close();
    }
  }

  /** A raw HTTP/1.1 backend: every request (no body) gets {@link #TRAILED}, keep-alive. */
  private static void serveTrailers() {
    while (!trailers.isClosed()) {
      try {
        Socket s = trailers.accept();
        Thread c =
            new Thread(
                () -> {
                  try (s;
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    int matched = 0;
                    int b;
                    while ((b = in.read()) >= 0) {
                      matched =
                          (b == (matched % 2 == 0 ? '\r' : '\n'))
                              ? matched + 1
                              : (b == '\r' ? 1 : 0);
                      if (matched == 4) {
                        out.write(TRAILED.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        matched = 0;
                      }
                    }
                  } catch (IOException e) {
                    // the proxy closed the connection
                  }
                },
                "trailer-connection");
        c.setDaemon(true);
        c.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Test
  void aRefusedConnectIsRetriedOnTheOtherEndpoint() {
    for (int i = 0; i < 4; i++) {
      CommandRunner.Result r = h2.curl("--http2", "-D", "-", h2.https("/flaky/status/200"));
      assertTrue(r.stdout().startsWith("HTTP/2 200"), r.toString());
      assertTrue(r.stdout().toLowerCase(Locale.ROOT).contains("x-backend: two\r\n"), r.stdout());
      assertEquals("/status/200", backend.takeRequest(WAIT).uri());
    }
  }

  @Test
  void trailersReachAnHttp11ClientAndAnH2ClientAlike() {
    CommandRunner.Result http11 = h2.curl("--http1.1", "-D", "-", h2.https("/trailers"));
    assertTrue(http11.stdout().contains("hello"), http11.toString());
    assertTrue(
        http11.stdout().toLowerCase(Locale.ROOT).contains("x-checksum: abc123"), http11.stdout());

    CommandRunner.Result h2c = H2Node.nghttp("-v", h2.h2c("/trailers"));
    assertEquals(0, h2c.exitCode(), h2c.toString());
    String out = h2c.stdout();
    int data = out.indexOf("recv DATA frame");
    assertTrue(data >= 0, out);
    String afterData = out.substring(data);
    int trailer = afterData.indexOf("x-checksum: abc123");
    assertTrue(trailer >= 0, "the trailer comes after the DATA: " + out);
    assertTrue(
        afterData.substring(trailer).contains("recv HEADERS frame")
            && afterData.substring(trailer).contains("; END_STREAM | END_HEADERS"),
        "in a HEADERS frame that ends the stream: " + out);
  }
}
