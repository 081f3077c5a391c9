package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.TestCertificates;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load tools over wss://, as benchmarks/tls.sh runs them through TLS listeners. */
class SecureWebSocketLoadTest {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static TestCertificates certificates;
  private static BenchBackend backend;

  @BeforeAll
  static void startTlsBackend() throws Exception {
    certificates = TestCertificates.create(dir, "bench");
    backend =
        BenchBackend.start(
            0,
            SslContextBuilder.forServer(
                    certificates.certificate().toFile(), certificates.privateKey().toFile())
                .sslProvider(SslProvider.JDK)
                .build());
  }

  @AfterAll
  static void stopBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  private static URI url(String scheme) {
    return URI.create(scheme + "://127.0.0.1:" + backend.port() + "/ws");
  }

  @Test
  void idleConnectionsOpenOverTlsWithTheTrustedCertificateAndCloseWith1000()
      throws InterruptedException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    IdleLoad.Result r =
        IdleLoad.run(
            url("wss"),
            certificates.certificate(),
            50,
            1,
            HANDSHAKE_TIMEOUT,
            20,
            dir.resolve("no-such-hold-file"),
            Duration.ofSeconds(30),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals("ready 50\n", printed.toString(StandardCharsets.UTF_8));
  }

  @Test
  void echoRunsOverTls() throws InterruptedException {
    EchoLoad.Result r =
        EchoLoad.run(
            url("wss"),
            certificates.certificate(),
            2,
            1,
            Duration.ofMillis(300),
            64,
            HANDSHAKE_TIMEOUT,
            200);
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertTrue(r.messages() > 0);
  }

  @Test
  void aCertificateTheClientDoesNotTrustFailsEveryHandshake() throws InterruptedException {
    // No trusted file: the JDK's trust store, which does not hold the self-signed certificate.
    EchoLoad.Result r =
        EchoLoad.run(url("wss"), null, 3, 1, Duration.ofMillis(200), 64, HANDSHAKE_TIMEOUT, 200);
    assertEquals(0, r.opened());
    assertEquals(3, r.handshakeFailures());
    assertFalse(r.clean());
  }

  @Test
  void trustIsRefusedForAPlainUrl() {
    StringWriter err = new StringWriter();
    CommandLine cli = WsLoad.commandLine().setErr(new PrintWriter(err));
    int status =
        cli.execute(
            "idle",
            "--url",
            url("ws").toString(),
            "--trust",
            certificates.certificate().toString(),
            "--connections",
            "1");
    assertEquals(2, status);
    assertTrue(err.toString().contains("--trust is for wss:// URLs only"), err::toString);
  }
}
