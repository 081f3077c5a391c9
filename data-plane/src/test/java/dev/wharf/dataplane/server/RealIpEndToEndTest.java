package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * nginx's realip through a real node: what the backend sees as {@code X-Real-IP: $remote_addr} and
 * {@code X-Forwarded-For: $proxy_add_x_forwarded_for}. Every expectation here was checked against
 * nginx 1.22 ({@code set_real_ip_from 10.0.0.0/8; set_real_ip_from 127.0.0.0/8; real_ip_header
 * X-Forwarded-For;} with and without {@code real_ip_recursive on}) with the same headers, except
 * where a comment says Wharf differs.
 */
@ExtendWith(NettyLeakExtension.class)
class RealIpEndToEndTest {
  private TestBackend backend;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: last
            address: 127.0.0.1
            port: %d
            real_ip: {trusted_sources: ["10.0.0.0/8", "127.0.0.0/8"]}
          - name: walk
            address: 127.0.0.1
            port: %d
            real_ip: {trusted_sources: ["10.0.0.0/8", "127.0.0.0/8"], recursive: true}
          - name: xri
            address: 127.0.0.1
            port: %d
            real_ip: {trusted_sources: ["127.0.0.0/8"], header: X-Real-IP}
          - name: strict
            address: 127.0.0.1
            port: %d
            real_ip: {trusted_sources: ["10.0.0.0/8", "127.0.0.2"]}
          - name: behindproxy
            address: 127.0.0.1
            port: %d
            proxy_protocol: {trusted_sources: ["127.0.0.0/8"]}
            real_ip: {trusted_sources: ["10.0.0.0/8"]}
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
                - {name: X-Port, value: $remote_port}
                - {name: X-Peer, value: $realip_remote_addr}
        """
                    .formatted(
                        ports.next(),
                        ports.next(),
                        ports.next(),
                        ports.next(),
                        ports.next(),
                        backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  /** Sends a GET with the given header lines; returns what the backend received. */
  private RecordedRequest through(String listener, String... headerLines) throws Exception {
    return through(listener, null, "", headerLines);
  }

  private RecordedRequest through(
      String listener, InetAddress from, String preamble, String... headerLines) throws Exception {
    StringBuilder raw = new StringBuilder(preamble).append("GET / HTTP/1.1\r\nHost: a\r\n");
    for (String line : headerLines) {
      raw.append(line).append("\r\n");
    }
    raw.append("\r\n");
    try (RawHttp http = new RawHttp(node.address(listener), from)) {
      http.sendBytes(raw.toString().getBytes(StandardCharsets.ISO_8859_1));
      assertEquals(200, http.read(false).status());
    }
    return backend.takeRequest(Duration.ofSeconds(10));
  }

  private static void assertSeen(String realIp, String forwardedFor, RecordedRequest got) {
    assertEquals(realIp, got.header("X-Real-IP"), "$remote_addr");
    assertEquals(forwardedFor, got.header("X-Forwarded-For"), "$proxy_add_x_forwarded_for");
    assertEquals("127.0.0.1", got.header("X-Peer"), "$realip_remote_addr is the TCP peer");
  }

  @Test
  void withoutRecursiveTheRightmostAddressIsTheClient() throws Exception {
    assertSeen(
        "10.0.0.5",
        "1.1.1.1, 10.0.0.5, 10.0.0.5",
        through("last", "X-Forwarded-For: 1.1.1.1, 10.0.0.5"));
  }

  @Test
  void recursiveWalksLeftPastTrustedAddresses() throws Exception {
    assertSeen(
        "1.1.1.1",
        "1.1.1.1, 10.0.0.5, 1.1.1.1",
        through("walk", "X-Forwarded-For: 1.1.1.1, 10.0.0.5"));
    assertSeen(
        "10.0.0.1",
        "10.0.0.1, 10.0.0.2, 10.0.0.1",
        through("walk", "X-Forwarded-For: 10.0.0.1, 10.0.0.2"));
    assertSeen(
        "1.1.1.1",
        "1.1.1.1,,10.0.0.5, 1.1.1.1",
        through("walk", "X-Forwarded-For: 1.1.1.1,,10.0.0.5 "));
  }

  @Test
  void severalForwardedForLinesAreOneList() throws Exception {
    assertSeen(
        "1.1.1.1",
        "1.1.1.1, 10.0.0.5, 1.1.1.1",
        through("walk", "X-Forwarded-For: 1.1.1.1", "X-Forwarded-For: 10.0.0.5"));
    assertSeen(
        "10.0.0.5",
        "1.1.1.1, 10.0.0.5, 10.0.0.5",
        through("last", "X-Forwarded-For: 1.1.1.1", "X-Forwarded-For: 10.0.0.5"));
  }

  @Test
  void garbageKeepsThePeerOrTheLastGoodAddress() throws Exception {
    assertSeen(
        "127.0.0.1",
        "1.1.1.1, garbage, 127.0.0.1",
        through("last", "X-Forwarded-For: 1.1.1.1, garbage"));
    assertSeen(
        "127.0.0.1",
        "1.1.1.1, 999.1.1.1, 127.0.0.1",
        through("walk", "X-Forwarded-For: 1.1.1.1, 999.1.1.1"));
    assertSeen(
        "10.0.0.5",
        "garbage, 10.0.0.5, 10.0.0.5",
        through("walk", "X-Forwarded-For: garbage, 10.0.0.5"));
    assertSeen("127.0.0.1", ",, 127.0.0.1", through("last", "X-Forwarded-For: ,"));
    String huge = "1".repeat(5000);
    assertEquals("127.0.0.1", through("last", "X-Forwarded-For: " + huge).header("X-Real-IP"));
    assertEquals(
        "127.0.0.1",
        through("last", "X-Forwarded-For: 1.1.1.1%eth0").header("X-Real-IP"),
        "no zone ids");
    assertEquals(
        "127.0.0.1",
        through("last", "X-Forwarded-For: example.com").header("X-Real-IP"),
        "never a DNS lookup");
  }

  @Test
  void portsAndIpv6AreReadAsNginxReadsThem() throws Exception {
    RecordedRequest withPort = through("last", "X-Forwarded-For: 1.1.1.1:8080");
    assertSeen("1.1.1.1", "1.1.1.1:8080, 1.1.1.1", withPort);
    assertEquals("8080", withPort.header("X-Port"));
    RecordedRequest v6 = through("last", "X-Forwarded-For: 1.1.1.1, [2001:db8::2]:443");
    assertSeen("2001:db8::2", "1.1.1.1, [2001:db8::2]:443, 2001:db8::2", v6);
    assertEquals("443", v6.header("X-Port"));
    RecordedRequest bare = through("last", "X-Forwarded-For: 2001:db8::1");
    assertSeen("2001:db8::1", "2001:db8::1, 2001:db8::1", bare);
    assertNull(bare.header("X-Port"), "no port in the header: $remote_port is empty, not sent");
  }

  @Test
  void anUntrustedPeersHeaderIsIgnored() throws Exception {
    RecordedRequest got = through("strict", "X-Forwarded-For: 1.1.1.1");
    assertSeen("127.0.0.1", "1.1.1.1, 127.0.0.1", got);
    assertEquals(
        "1.1.1.1",
        through("strict", InetAddress.getByName("127.0.0.2"), "", "X-Forwarded-For: 1.1.1.1")
            .header("X-Real-IP"),
        "the same header from the trusted 127.0.0.2 is believed");
  }

  @Test
  void theXRealIpVariantTakesItsOwnHeaderOnly() throws Exception {
    assertSeen(
        "5.6.7.8",
        "1.1.1.1, 5.6.7.8",
        through("xri", "X-Real-IP: 5.6.7.8", "X-Forwarded-For: 1.1.1.1"));
    assertSeen("9.9.9.9", "9.9.9.9", through("xri", "X-Real-IP: 5.6.7.8, 9.9.9.9"));
    assertSeen("127.0.0.1", "127.0.0.1", through("xri", "X-Real-IP: nonsense"));
  }

  @Test
  void behindAProxyProtocolBalancerTheHeaderSourceIsThePeerRealIpChecks() throws Exception {
    InetAddress balancer = InetAddress.getByName("127.0.0.2");
    RecordedRequest got =
        through(
            "behindproxy",
            balancer,
            "PROXY TCP4 10.1.1.1 127.0.0.1 5555 80\r\n",
            "X-Forwarded-For: 198.51.100.9");
    assertEquals("198.51.100.9", got.header("X-Real-IP"));
    RecordedRequest untrusted =
        through(
            "behindproxy",
            balancer,
            "PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n",
            "X-Forwarded-For: 198.51.100.9");
    assertEquals(
        "203.0.113.7",
        untrusted.header("X-Real-IP"),
        "the PROXY source is not in real_ip.trusted_sources: its header is ignored");
  }
}
