package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol on a listener, through a real node with raw sockets: the balancer is 127.0.0.2
 * (trusted), a stranger 127.0.0.3 (not). What the backend receives in {@code X-Real-IP:
 * $remote_addr}, what the access log says, and that a refused connection gets no answer, sends
 * nothing to the backend and is counted.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyProtocolEndToEndTest {
  private static final byte[] V2_SIGNATURE = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
  };
  private static final String REQUEST = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";

  @TempDir Path dir;
  private TestBackend backend;
  private TestNode node;
  private InetAddress balancer;
  private InetAddress stranger;

  @BeforeEach
  void start() throws Exception {
    balancer = InetAddress.getByName("127.0.0.2");
    stranger = InetAddress.getByName("127.0.0.3");
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
            client_header_timeout: 2s
            proxy_protocol: {trusted_sources: ["127.0.0.2/32", "10.0.0.0/8"]}
            access_log:
              path: "%s"
              encoding: json
              fields: [remote_addr, proxy_protocol_addr, realip_remote_addr, request_uri]
          - name: keep
            address: 127.0.0.1
            port: %d
            proxy_protocol: {trusted_sources: ["127.0.0.2"], use_as_remote_addr: false}
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
                - {name: X-Forwarded-For, value: $proxy_add_x_forwarded_for}
                - {name: X-PP, value: "$proxy_protocol_addr:$proxy_protocol_port"}
        """
                    .formatted(
                        ports.next(),
                        dir.resolve("access.json"),
                        ports.next(),
                        backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private RawHttp.Response sendFrom(InetAddress from, String listener, byte[] bytes)
      throws Exception {
    try (RawHttp http = new RawHttp(node.address(listener), from)) {
      http.sendBytes(bytes);
      return http.read(false);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A v2 header: version 2, {@code command} (0 LOCAL, 1 PROXY), family, addresses. */
  private static byte[] v2(int command, int family, byte[] addresses) {
    byte[] head = {
      (byte) (0x20 | command),
      (byte) family,
      (byte) (addresses.length >> 8),
      (byte) addresses.length
    };
    return concat(V2_SIGNATURE, head, addresses);
  }

  private static byte[] v2Tcp4(String source, String destination, int sport, int dport)
      throws Exception {
    return v2(
        1,
        0x11,
        concat(
            InetAddress.getByName(source).getAddress(),
            InetAddress.getByName(destination).getAddress(),
            new byte[] {(byte) (sport >> 8), (byte) sport, (byte) (dport >> 8), (byte) dport}));
  }

  private String accessLog() {
    try {
      Path log = dir.resolve("access.json");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private double rejected(String reason) {
    Counter c =
        node.registry()
            .find("wharf.proxy_protocol.rejected")
            .tags("listener", "web", "reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  /** Refused: the server closes without a byte, and the backend's next request is a marker. */
  private void assertClosedSilently(InetAddress from, byte[] bytes) throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"), from)) {
      byte[] answer;
      try {
        http.sendBytes(bytes);
        answer = http.readUntilClosed();
      } catch (SocketException e) {
        // Closed with our bytes unread: the kernel answers with a reset, and nothing else.
        answer = new byte[0];
      }
      assertArrayEquals(new byte[0], answer, "no answer at all");
    }
    assertNothingReachedTheBackend();
  }

  private void assertNothingReachedTheBackend() throws Exception {
    RawHttp.Response marker =
        sendFrom(
            balancer,
            "web",
            ascii(
                "PROXY TCP4 198.51.100.1 127.0.0.1 1 80\r\nGET /marker HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertEquals(200, marker.status());
    assertEquals("/marker", backend.takeRequest(Duration.ofSeconds(10)).uri());
  }

  @Test
  void aV1HeaderFromTheBalancerMakesItsSourceTheClient() throws Exception {
    RawHttp.Response r =
        sendFrom(balancer, "web", ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n" + REQUEST));

    assertEquals(200, r.status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("203.0.113.7", got.header("X-Real-IP"));
    assertEquals("203.0.113.7", got.header("X-Forwarded-For"));
    assertEquals("203.0.113.7:5555", got.header("X-PP"));
    Await.until(Duration.ofSeconds(10), () -> accessLog().contains("/hello"), this::accessLog);
    String line = accessLog();
    assertTrue(line.contains("\"remote_addr\":\"203.0.113.7\""), line);
    assertTrue(line.contains("\"proxy_protocol_addr\":\"203.0.113.7\""), line);
    assertTrue(line.contains("\"realip_remote_addr\":\"127.0.0.2\""), line);
  }

  @Test
  void keepAliveRequestsAfterTheHeaderKeepItsAddress() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"), balancer)) {
      http.sendBytes(ascii("PROXY TCP4 203.0.113.8 127.0.0.1 5555 80\r\n"));
      assertEquals(200, http.exchange(REQUEST).status());
      assertEquals(200, http.exchange(REQUEST).status());
    }
    assertEquals("203.0.113.8", backend.takeRequest(Duration.ofSeconds(10)).header("X-Real-IP"));
    assertEquals("203.0.113.8", backend.takeRequest(Duration.ofSeconds(10)).header("X-Real-IP"));
  }

  @Test
  void aV2HeaderWorksForIpv4AndIpv6() throws Exception {
    assertEquals(
        200,
        sendFrom(
                balancer,
                "web",
                concat(v2Tcp4("203.0.113.9", "127.0.0.1", 4000, 80), ascii(REQUEST)))
            .status());
    RecordedRequest four = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("203.0.113.9", four.header("X-Real-IP"));
    assertEquals("203.0.113.9:4000", four.header("X-PP"));

    byte[] six =
        v2(
            1,
            0x21,
            concat(
                InetAddress.getByName("2001:db8::7").getAddress(),
                InetAddress.getByName("2001:db8::1").getAddress(),
                new byte[] {0x1f, 0x40, 0x00, 0x50}));
    assertEquals(200, sendFrom(balancer, "web", concat(six, ascii(REQUEST))).status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("2001:db8::7", got.header("X-Real-IP"), "printed as nginx prints it");
    assertEquals("2001:db8::7:8000", got.header("X-PP"));
  }

  @Test
  void aV2LocalCommandKeepsTheBalancerAsTheClient() throws Exception {
    assertEquals(
        200, sendFrom(balancer, "web", concat(v2(0, 0x00, new byte[0]), ascii(REQUEST))).status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("127.0.0.2", got.header("X-Real-IP"));
    assertEquals(":", got.header("X-PP"), "no PROXY address: both variables empty");
  }

  @Test
  void useAsRemoteAddrFalseKeepsThePeerButStillShowsTheHeader() throws Exception {
    assertEquals(
        200,
        sendFrom(balancer, "keep", ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n" + REQUEST))
            .status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("127.0.0.2", got.header("X-Real-IP"));
    assertEquals("203.0.113.7:5555", got.header("X-PP"));
  }

  @Test
  void aPeerOutsideTheTrustedSourcesIsClosedBeforeAnythingIsRead() throws Exception {
    assertClosedSilently(stranger, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n" + REQUEST));
    assertEquals(1, rejected("untrusted_source"));
  }

  @Test
  void malformedHeadersAreClosedWithoutAnAnswer() throws Exception {
    assertClosedSilently(balancer, ascii("PROXY TCP4 999.1.1.1 127.0.0.1 5555 80\r\n" + REQUEST));
    assertClosedSilently(balancer, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\n" + REQUEST));
    assertClosedSilently(
        balancer, ascii("PROXY UNKNOWN " + "1".repeat(100) + "\r\n" + REQUEST)); // 116 bytes
    assertClosedSilently(
        balancer, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 99999 80\r\n" + REQUEST));
    assertClosedSilently(balancer, ascii("PROXY TCP6 203.0.113.7 127.0.0.1 5555 80\r\n" + REQUEST));
    byte[] badFamily = v2(1, 0x71, new byte[12]);
    assertClosedSilently(balancer, concat(badFamily, ascii(REQUEST)));
    byte[] shortV2 = v2(1, 0x11, new byte[4]); // says TCP4 but carries 4 bytes of the 12
    assertClosedSilently(balancer, concat(shortV2, ascii(REQUEST)));
    assertEquals(7, rejected("malformed"));
  }

  @Test
  void aPlainRequestOnAProxyProtocolListenerIsClosed() throws Exception {
    assertClosedSilently(balancer, ascii(REQUEST));
    assertEquals(1, rejected("malformed"));
  }

  @Test
  void aConnectionThatEndsOrStallsBeforeItsHeaderIsClosedAndCounted() throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"), balancer)) {
      http.sendBytes(ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80")); // no CRLF, then EOF
      http.shutdownOutput();
      assertArrayEquals(new byte[0], http.readUntilClosed());
    }
    try (RawHttp http = new RawHttp(node.address("web"), balancer)) {
      http.sendBytes(ascii("PROXY TCP4 203.0.113.7")); // then silence: client_header_timeout
      assertArrayEquals(new byte[0], http.readUntilClosed());
    }
    assertNothingReachedTheBackend();
    Await.until(
        Duration.ofSeconds(10),
        () -> rejected("incomplete") == 2,
        () -> "incomplete: " + rejected("incomplete"));
  }
}
