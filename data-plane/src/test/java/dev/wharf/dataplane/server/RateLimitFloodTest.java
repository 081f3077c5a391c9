package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A refused client that keeps its connection (nginx's and Wharf's behaviour after a limit_req
 * refusal) and pipelines a flood: 300 requests, with bodies, in one write. Exactly one reaches the
 * backend, every other is answered 429 in order on the same connection, no body is taken for a
 * request, and the key's bucket is not refilled by the refusals (the ticker never moves).
 */
@ExtendWith(NettyLeakExtension.class)
class RateLimitFloodTest {
  private static final int FLOOD = 300;
  private final MockTicker ticker = Ticker.newMockTicker();
  private TestBackend backend;
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aPipelinedFloodOnARefusedConnectionReachesTheBackendOnceAndIsAnsweredInOrder()
      throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .workers(2)
            .ticker(ticker)
            .start(
                ports ->
                    """
                listeners:
                  - {name: web, address: 127.0.0.1, port: %d}
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                rate_limit_zones: [{name: ip, key: $binary_remote_addr, rate: 1r/m}]
                routes:
                  - name: limited
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                    limit_req: [{zone: ip, nodelay: true}]
                """
                        .formatted(ports.next(), backend.endpoint()));
    StringBuilder flood = new StringBuilder();
    for (int i = 0; i < FLOOD; i++) {
      flood.append(
          "POST /r"
              + i
              + " HTTP/1.1\r\nHost: h\r\nContent-Length: 27\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
    }
    List<Integer> statuses = new ArrayList<>();
    try (RawHttp client = new RawHttp(node.address("web"))) {
      client.send(flood.toString());
      for (int i = 0; i < FLOOD; i++) {
        statuses.add(client.read(false).status());
      }
      assertEquals(
          429,
          client.exchange("GET /after HTTP/1.1\r\nHost: h\r\n\r\n").status(),
          "the connection is still in step and the bucket still full");
    }
    assertEquals(200, statuses.get(0));
    assertEquals(List.of(429), statuses.subList(1, FLOOD).stream().distinct().toList());
    assertEquals("/r0", backend.takeRequest(Http.TIMEOUT).uri());
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void aForwardedForHeaderChangesTheKeyOnlyFromATrustedPeer() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .ticker(ticker)
            .start(
                ports ->
                    """
                listeners:
                  - name: untrusted
                    address: 127.0.0.1
                    port: %d
                    real_ip: {trusted_sources: ["10.0.0.0/8"]}
                  - name: trusted
                    address: 127.0.0.1
                    port: %d
                    real_ip: {trusted_sources: ["127.0.0.0/8"]}
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                rate_limit_zones: [{name: ip, key: $binary_remote_addr, rate: 1r/m}]
                routes:
                  - name: limited
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                    limit_req: [{zone: ip, nodelay: true}]
                """
                        .formatted(ports.next(), ports.next(), backend.endpoint()));
    List<Integer> untrusted = new ArrayList<>();
    for (String spoofed : List.of("192.0.2.1", "192.0.2.2", "::ffff:192.0.2.3", "2001:db8::1")) {
      untrusted.add(statusFrom("untrusted", spoofed));
    }
    assertEquals(List.of(200, 429, 429, 429), untrusted, "one client however it signs");
    List<Integer> trusted = new ArrayList<>();
    for (String client : List.of("198.51.100.1", "198.51.100.1", "198.51.100.2", "2001:db8::2")) {
      trusted.add(statusFrom("trusted", client));
    }
    assertEquals(List.of(200, 429, 200, 200), trusted, "the balancer's clients, each its own");
    assertEquals(429, statusFrom("trusted", "::ffff:198.51.100.2"), "v4-mapped is the same");
    for (int i = 0; i < 4; i++) {
      backend.takeRequest(Http.TIMEOUT);
    }
    backend.assertNoUnconsumedRequests();
  }

  private int statusFrom(String listener, String forwardedFor) throws Exception {
    try (RawHttp client = new RawHttp(node.address(listener))) {
      return client
          .exchange("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: " + forwardedFor + "\r\n\r\n")
          .status();
    }
  }
}
