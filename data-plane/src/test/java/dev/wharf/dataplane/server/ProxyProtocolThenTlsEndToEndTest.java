package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import io.micrometer.core.instrument.Counter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener with both the PROXY protocol and TLS, as behind an L4 balancer that passes TLS
 * through: the balancer (127.0.0.2, trusted) writes a PROXY v1 header in clear, then the client's
 * TLS starts on the same connection. The backend sees the client of the header as {@code
 * $remote_addr} and {@code https} as the scheme. A stranger (127.0.0.3) is closed before any TLS is
 * spoken.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyProtocolThenTlsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HEADER = "PROXY TCP4 203.0.113.7 127.0.0.1 51000 443\r\n";

  @TempDir static Path dir;
  static TestPki pki;
  static TestBackend backend;
  static TestNode node;
  static InetAddress balancer;
  static InetAddress stranger;

  @BeforeAll
  static void start() throws Exception {
    balancer = InetAddress.getByName("127.0.0.2");
    stranger = InetAddress.getByName("127.0.0.3");
    pki = TestPki.create(dir);
    TestPki.Issued site = pki.ecdsa("site", "site.test");
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    proxy_protocol: {trusted_sources: ["127.0.0.2/32"]}
                    tls:
                      certificates: [{certificate_file: "%s", key_file: "%s"}]
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                routes:
                  - name: all
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                    request_headers:
                      set:
                        - {name: X-Real-IP, value: $remote_addr}
                        - {name: X-Forwarded-Proto, value: $scheme}
                """
                    .formatted(ports.next(), site.certificate(), site.key(), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static Socket connectFrom(InetAddress from, Socket socket) throws IOException {
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(node.address("web"), (int) WAIT.toMillis());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  /** TLS over {@code raw}, then one request; returns the response's first line. */
  private static String httpsOver(Socket raw) throws IOException {
    try (SSLSocket tls =
        (SSLSocket)
            pki.clientContext()
                .getSocketFactory()
                .createSocket(raw, "127.0.0.1", raw.getPort(), true)) {
      tls.startHandshake();
      tls.getOutputStream()
          .write(
              "GET /pp HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(tls.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  @Test
  void theHeaderInClearThenTlsOnTheSameSocketGivesTheBackendTheClientAndHttps() throws Exception {
    Socket raw = connectFrom(balancer, new Socket());
    raw.getOutputStream().write(HEADER.getBytes(StandardCharsets.US_ASCII));
    raw.getOutputStream().flush();
    assertEquals("HTTP/1.1 200 OK", httpsOver(raw));
    RecordedRequest seen = backend.takeRequest(WAIT);
    assertEquals("/pp", seen.uri());
    assertEquals("203.0.113.7", seen.header("X-Real-IP"));
    assertEquals("https", seen.header("X-Forwarded-Proto"));
  }

  @Test
  void theHeaderAndTheClientHelloInOneSegmentWorkAsWell() throws Exception {
    Socket raw = connectFrom(balancer, new PrefixingSocket(HEADER));
    assertEquals("HTTP/1.1 200 OK", httpsOver(raw));
    RecordedRequest seen = backend.takeRequest(WAIT);
    assertEquals("203.0.113.7", seen.header("X-Real-IP"));
    assertEquals("https", seen.header("X-Forwarded-Proto"));
  }

  @Test
  void aStrangerIsClosedBeforeAnyTlsHandshake() throws Exception {
    double before = rejected("untrusted_source");
    try (Socket raw = connectFrom(stranger, new Socket())) {
      // closed without a byte, before this side has sent anything
      assertEquals(-1, readOrReset(raw));
    }
    try (Socket raw = connectFrom(stranger, new Socket())) {
      raw.getOutputStream().write(HEADER.getBytes(StandardCharsets.US_ASCII));
      assertThrows(IOException.class, () -> httpsOver(raw));
    }
    assertEquals(before + 2, rejected("untrusted_source"));
    assertEquals(
        0.0,
        node.registry().find("wharf.tls.handshakes.refused").counters().stream()
            .mapToDouble(Counter::count)
            .sum(),
        "no TLS engine ever saw the stranger (its refusal counters are there, at zero)");
    assertEquals(0, node.node().tls().get("web").handshakesInProgress());
    assertEquals(0, backend.pendingRequests());
  }

  private static int readOrReset(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read();
    } catch (SocketException e) {
      assertTrue(e.getMessage().contains("reset"), e.toString());
      return -1;
    }
  }

  private static double rejected(String reason) {
    Counter c =
        node.registry()
            .find("wharf.proxy_protocol.rejected")
            .tags("listener", "web", "reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  /**
   * A socket whose first write carries {@code prefix} in front of what is written (the PROXY header
   * and the ClientHello in one segment, as a balancer may send them).
   */
  private static final class PrefixingSocket extends Socket {
    private final byte[] prefix;
    private boolean sent;

    PrefixingSocket(String prefix) {
      this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return new FilterOutputStream(super.getOutputStream()) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          synchronized (PrefixingSocket.this) {
            if (!sent) {
              sent = true;
              byte[] both = new byte[prefix.length + len];
              System.arraycopy(prefix, 0, both, 0, prefix.length);
              System.arraycopy(b, off, both, prefix.length, len);
              out.write(both);
              return;
            }
          }
          out.write(b, off, len);
        }
      };
    }
  }
}
