package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.MissingTool;
import dev.wharf.testkit.TestCertificates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks of TLS upstreams, and TLS session resumption towards them, observed by the
 * endpoint itself ({@code openssl s_server -www} reports each connection as New or Reused).
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamTlsChecksAndSessionsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void httpAndWebSocketChecksSpeakTlsAndAFailedHandshakeIsUnhealthy() throws Exception {
    TestCertificates cert = TestCertificates.create(dir, "backend");
    TestCertificates strangerCert = TestCertificates.create(dir, "stranger");
    try (TestBackend good = TestBackend.startTls("good", server(cert));
        TestBackend stranger = TestBackend.startTls("stranger", server(strangerCert));
        TestNode node =
            TestNode.start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %1$d}
                    upstreams:
                      - name: http-checked
                        endpoints: [{address: "%2$s"}, {address: "%3$s"}]
                        tls: {ca_file: "%4$s"}
                        health_check: {interval: 1s, timeout: 1s, unhealthy_threshold: 2,
                                       http: {path: /status/204}}
                      - name: ws-checked
                        endpoints: [{address: "%2$s"}]
                        tls: {ca_file: "%4$s"}
                        health_check: {interval: 1s, timeout: 1s, unhealthy_threshold: 2,
                                       websocket: {path: /ws}}
                    routes:
                      - name: all
                        match: {path: {prefix: /}}
                        proxy: {upstream: http-checked}
                    """
                        .formatted(
                            ports.next(),
                            good.endpoint(),
                            stranger.endpoint(),
                            cert.certificate()))) {
      Await.until(
          WAIT,
          () -> healthy(node, "http-checked", stranger.endpoint()) == 0,
          () -> "stranger still healthy; failures " + checks(node, "http-checked", "failure"));
      Await.until(
          WAIT,
          () -> checks(node, "http-checked", "success") >= 2,
          () -> "no good check of the TLS endpoint");
      Await.until(
          WAIT,
          () -> checks(node, "ws-checked", "success") >= 2,
          () -> "no good WebSocket check; failures " + checks(node, "ws-checked", "failure"));

      assertEquals(1.0, healthy(node, "http-checked", good.endpoint()));
      assertEquals(1.0, healthy(node, "ws-checked", good.endpoint()));
      assertEquals(0, stranger.pendingRequests(), "no check request went to the stranger");
      RecordedRequest check = good.takeRequest(WAIT);
      assertTrue(
          check.uri().equals("/status/204") || check.uri().equals("/ws"), "got " + check.uri());
      assertEquals("wharf-health-check", check.header("user-agent"));
    }
  }

  @Test
  void newConnectionsResumeTheTlsSessionUnlessSessionReuseIsOff() throws Exception {
    Path openssl = Path.of("/usr/bin/openssl");
    if (!Files.isExecutable(openssl)) {
      MissingTool.missing("/usr/bin/openssl is not installed");
    }
    TestCertificates cert = TestCertificates.create(dir, "backend");
    Path log = dir.resolve("s_server.log");
    Process server =
        new ProcessBuilder(
                openssl.toString(),
                "s_server",
                "-accept",
                "127.0.0.1:0", // it binds, then says where: "ACCEPT 127.0.0.1:PORT"
                "-cert",
                cert.certificate().toString(),
                "-key",
                cert.privateKey().toString(),
                "-www")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      Await.until(
          WAIT,
          () -> acceptLine(log) != null || !server.isAlive(),
          () -> "s_server said nothing of its port: " + read(log));
      String accept = acceptLine(log);
      assertTrue(accept != null, "s_server exited: " + Files.readString(log));
      int port = Integer.parseInt(accept.substring(accept.lastIndexOf(':') + 1).strip());
      try (TestNode node =
          TestNode.start(
              ports ->
                  """
                  listeners:
                    - {name: web, address: 127.0.0.1, port: %1$d}
                  upstreams:
                    - name: reused
                      endpoints: [{address: "127.0.0.1:%2$d"}]
                      tls: {ca_file: "%3$s"}
                    - name: fresh
                      endpoints: [{address: "127.0.0.1:%2$d"}]
                      tls: {ca_file: "%3$s", session_reuse: false}
                  routes:
                    - name: reused
                      match: {path: {prefix: /reused/}}
                      proxy: {upstream: reused, rewrite: {regex: ".*", replacement: /}}
                    - name: fresh
                      match: {path: {prefix: /fresh/}}
                      proxy: {upstream: fresh, rewrite: {regex: ".*", replacement: /}}
                  """
                      .formatted(ports.next(), port, cert.certificate()))) {
        assertTrue(sessionLine(node, "/reused/1").startsWith("New, "));
        assertTrue(sessionLine(node, "/reused/2").startsWith("Reused, "));
        assertTrue(sessionLine(node, "/reused/3").startsWith("Reused, "));

        assertTrue(sessionLine(node, "/fresh/1").startsWith("New, "));
        assertTrue(sessionLine(node, "/fresh/2").startsWith("New, "));
      }
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** The line of s_server's status page that says whether the session was new or resumed. */
  private static String sessionLine(TestNode node, String path) throws Exception {
    HttpResponse<String> r = Http.get(node.uri("web", path));
    assertEquals(200, r.statusCode(), r.body());
    return r.body()
        .lines()
        .filter(l -> l.startsWith("New, ") || l.startsWith("Reused, "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no session line in " + r.body()));
  }

  /** s_server's "ACCEPT 127.0.0.1:PORT" line, written once it listens; null before. */
  private static String acceptLine(Path log) {
    return read(log).lines().filter(l -> l.startsWith("ACCEPT ")).findFirst().orElse(null);
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static io.netty.handler.ssl.SslContext server(TestCertificates cert) throws Exception {
    return SslContextBuilder.forServer(cert.certificate().toFile(), cert.privateKey().toFile())
        .sslProvider(SslProvider.JDK)
        .build();
  }

  private static double healthy(TestNode node, String upstream, String endpoint) {
    Gauge g =
        node.registry()
            .find("wharf.endpoint.healthy")
            .tags("upstream", upstream, "endpoint", endpoint)
            .gauge();
    return g == null ? -1 : g.value();
  }

  private static double checks(TestNode node, String upstream, String result) {
    Counter c =
        node.registry()
            .find("wharf.health.checks")
            .tags("upstream", upstream, "result", result)
            .counter();
    return c == null ? 0 : c.count();
  }
}
