package dev.wharf.dataplane.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 towards clients through a real node, with real clients ({@code curl --http2}, {@code
 * nghttp}): over TLS through ALPN, and in cleartext with prior knowledge; the backend still hears
 * HTTP/1.1.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2EndToEndTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static TestPki pki;
  static TestBackend backend;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    MissingTool.require("curl");
    MissingTool.require("nghttp");
    pki = TestPki.create(dir);
    TestPki.Issued cert = pki.rsa("h2-cert", "h2.test");
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
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
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: app}
            request_headers:
              set:
                - {name: X-Proto, value: "$server_protocol|$http2|$scheme"}
        """
                    .formatted(
                        ports.next(),
                        cert.certificate(),
                        cert.key(),
                        ports.next(),
                        backend.endpoint()));
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

  private static String https(String path) {
    return "https://h2.test:" + node.address("tls").getPort() + path;
  }

  private static CommandRunner.Result curl(String... args) {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    command.addAll(
        List.of(
            "--cacert",
            pki.caCertificate().toString(),
            "--resolve",
            "h2.test:" + node.address("tls").getPort() + ":127.0.0.1"));
    command.addAll(List.of(args));
    return CommandRunner.run(WAIT, command);
  }

  @Test
  void curlSpeaksH2OverTlsAndTheBackendHearsHttp11() {
    CommandRunner.Result r =
        curl("--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", https("/a?b=1"));
    assertEquals("2 200", r.stdout(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("GET", got.method());
    assertEquals("/a?b=1", got.uri());
    assertEquals("h2.test:" + node.address("tls").getPort(), got.header("Host"));
    assertEquals("HTTP/2.0|h2|https", got.header("X-Proto"));
    assertNull(got.header("x-http2-stream-id"), got.headers().toString());
    assertNull(got.header("x-http2-scheme"), got.headers().toString());
  }

  @Test
  void bodilessRequestsKeepTheBackendConnectionPooled() {
    int before = backend.connectionsAccepted();
    CommandRunner.Result r =
        curl(
            "--http2",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code} ",
            https("/keep/1"),
            https("/keep/2"),
            https("/keep/3"));
    assertEquals("2 200 2 200 2 200 ", r.stdout(), r.toString());
    for (int i = 1; i <= 3; i++) {
      assertEquals("/keep/" + i, backend.takeRequest(WAIT).uri());
    }
    // One connection at most (none if one was pooled already), kept for the next request: not
    // one per request, closed after it.
    assertTrue(
        backend.connectionsAccepted() - before <= 1,
        "backend connections opened for 3 requests: " + (backend.connectionsAccepted() - before));
    assertTrue(backend.openConnections() >= 1, "the pooled connection was closed");
  }

  @Test
  void aPostBodyWithoutLengthReachesTheBackendWhole() {
    CommandRunner.Result r =
        curl(
            "--http2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            "-H",
            "Transfer-Encoding:",
            "--data-binary",
            "@-",
            https("/upload"));
    assertEquals("2 200", r.stdout(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("POST", got.method());
  }

  @Test
  void nghttpSpeaksH2cWithPriorKnowledge() {
    CommandRunner.Result r =
        CommandRunner.run(
            WAIT,
            List.of(
                "nghttp", "-v", "http://127.0.0.1:" + node.address("clear").getPort() + "/clear"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains(":status: 200"), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("/clear", got.uri());
    assertEquals("HTTP/2.0|h2c|http", got.header("X-Proto"));
  }

  @Test
  void http11StillWorksOnBothListeners() {
    CommandRunner.Result r =
        curl("--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", https("/one"));
    assertEquals("1.1 200", r.stdout(), r.toString());
    assertEquals("HTTP/1.1||https", backend.takeRequest(WAIT).header("X-Proto"));
    CommandRunner.Result clear =
        curl(
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            "http://127.0.0.1:" + node.address("clear").getPort() + "/one");
    assertEquals("1.1 200", clear.stdout(), clear.toString());
    assertEquals("HTTP/1.1||http", backend.takeRequest(WAIT).header("X-Proto"));
  }
}
