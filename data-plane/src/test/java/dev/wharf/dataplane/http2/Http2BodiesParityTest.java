package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.H2Node.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request and response bodies over HTTP/2 as over HTTP/1.1 ({@code ProxyEndToEndTest}): the route's
 * body limit, uploads of several megabytes through flow control, {@code Expect: 100-continue}, a
 * large download, many streams on one connection.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2BodiesParityTest {
  static final int UPLOAD = 5 * 1024 * 1024 + 321;
  static final int DOWNLOAD = 20 * 1024 * 1024;

  @TempDir static Path dir;
  static TestBackend backend;
  static H2Node h2;
  static Path upload;
  static byte[] uploadBytes;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    uploadBytes = new byte[UPLOAD];
    new Random(17).nextBytes(uploadBytes);
    upload = Files.write(dir.resolve("upload.bin"), uploadBytes);
    h2 =
        H2Node.start(
            dir,
            "",
            """
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
            pool: {max_idle_per_endpoint: 64}
        routes:
          - name: small
            match: {path: {prefix: /small/}}
            proxy: {upstream: app}
            max_body_size: 1k
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: app}
            max_body_size: 0
        """
                .formatted(backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** A request a test caused and did not expect (a duplicate, a retry) fails that test. */
  @AfterEach
  void noRequestIsLeftUnchecked() {
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void aDeclaredLengthOverTheLimitIs413AndTheBackendHearsNothing() throws Exception {
    Path body = Files.writeString(dir.resolve("2000.txt"), "x".repeat(2000));
    CommandRunner.Result r =
        h2.curl(
            "--http2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            "--data-binary",
            "@" + body,
            h2.https("/small/x"));
    assertEquals("2 413", r.stdout(), r.toString());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void aBodyWithoutLengthThatGrowsOverTheLimitIs413() throws Exception {
    Path body = Files.writeString(dir.resolve("3000.txt"), "y".repeat(3000));
    CommandRunner.Result r =
        H2Node.nghttp("-v", "--no-content-length", "-d", body.toString(), h2.h2c("/small/y"));
    assertTrue(r.stdout().contains(":status: 413"), r.toString());
    assertEquals(0, backend.pendingRequests(), "no request reached the backend whole");
  }

  @Test
  void aSeveralMegabyteUploadReachesTheBackendWholeOverTls() throws Exception {
    Path echoed = dir.resolve("echoed-tls.bin");
    CommandRunner.Result r =
        h2.curl(
            "--http2",
            "-o",
            echoed.toString(),
            "-w",
            "%{http_version} %{http_code}",
            "--data-binary",
            "@" + upload,
            h2.https("/upload"));
    assertEquals("2 200", r.stdout(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals(String.valueOf(UPLOAD), got.header("Content-Length"));
    assertArrayEquals(uploadBytes, got.body());
    assertArrayEquals(uploadBytes, Files.readAllBytes(echoed), "and back through the echo");
  }

  @Test
  void aSeveralMegabyteUploadWithoutLengthReachesTheBackendWholeOverH2c() {
    CommandRunner.Result r =
        H2Node.nghttp("-n", "-s", "--no-content-length", "-d", upload.toString(), h2.h2c("/up"));
    assertEquals(0, r.exitCode(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertArrayEquals(uploadBytes, got.body());
  }

  @Test
  void expectContinueIsAnsweredWithAnInterimHeadBeforeTheBody() throws Exception {
    Path body = Files.writeString(dir.resolve("hello.txt"), "hello");
    CommandRunner.Result r =
        h2.curl(
            "--http2",
            "-v",
            "-H",
            "Expect: 100-continue",
            "--data-binary",
            "@" + body,
            h2.https("/expect"));
    assertEquals("hello", r.stdout(), r.toString());
    assertTrue(r.stderr().contains("< HTTP/2 100"), r.stderr());
    assertTrue(r.stderr().contains("< HTTP/2 200"), r.stderr());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("hello", new String(got.body(), java.nio.charset.StandardCharsets.UTF_8));
    assertNull(got.header("Expect"), "the proxy answered the expectation");
  }

  @Test
  void aTwentyMegabyteResponseArrivesWholeOverTlsAndH2c() throws Exception {
    for (String protocol : new String[] {"--http2", "--http2-prior-knowledge"}) {
      Path out = dir.resolve("download" + protocol + ".bin");
      String url =
          protocol.equals("--http2")
              ? h2.https("/bytes/" + DOWNLOAD)
              : h2.h2c("/chunked/" + DOWNLOAD);
      CommandRunner.Result r =
          h2.curl(protocol, "-o", out.toString(), "-w", "%{http_version} %{http_code}", url);
      assertEquals(0, r.exitCode(), r.toString());
      assertEquals("2 200", r.stdout(), r.toString());
      assertPattern(out, DOWNLOAD);
      backend.takeRequest(WAIT);
    }
  }

  @Test
  void fiftyConcurrentStreamsOnOneConnectionGetTheirOwnBodies() throws Exception {
    Path out = Files.createDirectories(dir.resolve("parallel"));
    CommandRunner.Result r =
        h2.curl(
            "--http2",
            "--parallel",
            "--parallel-max",
            "50",
            "-w",
            "%{http_code} %{num_connects}\\n",
            "-o",
            out + "/#1.bin",
            h2.https("/bytes/[20000-20049]"));
    assertEquals(0, r.exitCode(), r.toString());
    long connects =
        r.stdout()
            .lines()
            .filter(l -> l.startsWith("200 "))
            .mapToInt(l -> Integer.parseInt(l.substring(4)))
            .sum();
    assertEquals(50, r.stdout().lines().filter(l -> l.startsWith("200 ")).count(), r.stdout());
    assertEquals(1, connects, "one connection for all: " + r.stdout());
    for (int n = 20000; n < 20050; n++) {
      assertPattern(out.resolve(n + ".bin"), n);
    }
    for (int i = 0; i < 50; i++) {
      backend.takeRequest(WAIT);
    }
  }

  @Test
  void requestsWithoutABodyLeaveTheirBackendConnectionForTheNext() {
    for (int i = 0; i < 3; i++) {
      CommandRunner.Result r = H2Node.nghttp(h2.h2c("/status/" + (i == 1 ? 204 : 200)));
      assertEquals(0, r.exitCode(), r.toString());
    }
    int first = backend.takeRequest(WAIT).connectionNumber();
    for (int i = 1; i < 3; i++) {
      assertEquals(first, backend.takeRequest(WAIT).connectionNumber(), "request " + i);
    }
  }

  @Test
  void twoHundredStreamsFiftyAtATimeReuseBoundedBackendConnections() {
    int before = backend.connectionsAccepted();
    CommandRunner.Result r =
        CommandRunner.run(
            WAIT,
            java.util.List.of("h2load", "-n", "200", "-c", "1", "-m", "50", h2.h2c("/bytes/3000")));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("200 succeeded, 0 failed, 0 errored"), r.stdout());
    assertTrue(r.stdout().contains("status codes: 200 2xx"), r.stdout());
    // At most one per stream in flight: each is kept (the pool holds 64) and serves the next.
    int opened = backend.connectionsAccepted() - before;
    assertTrue(opened <= 50, "backend connections opened for 200 requests: " + opened);
    for (int i = 0; i < 200; i++) {
      backend.takeRequest(WAIT);
    }
  }

  /** The TestBackend's body pattern: byte i is {@code i % 251}. */
  static void assertPattern(Path file, long length) throws Exception {
    byte[] got = Files.readAllBytes(file);
    assertEquals(length, got.length, file.toString());
    for (int i = 0; i < got.length; i++) {
      if (got[i] != (byte) (i % 251)) {
        throw new AssertionError(file + ": byte " + i + " is " + got[i]);
      }
    }
  }
}
