package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination through a real node, with real clients: {@code openssl s_client}, {@code curl}
 * and the JDK's WebSocket client, against certificates made by a test CA. Run once per engine by
 * the subclasses.
 */
@ExtendWith(NettyLeakExtension.class)
abstract class TlsEndToEndTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static TestPki pki;
  static TestBackend backend;
  static TestNode node;
  static TestPki.Issued aRsa;
  private static String yaml;

  /** Starts the node with {@code engine} ({@code openssl} or {@code jdk}). */
  static void start(String engine) throws Exception {
    System.setProperty(TlsEngine.FORCE_PROPERTY, engine);
    assertEquals(engine, TlsEngine.detect().tag(), "this engine must be available here");
    pki = TestPki.create(dir);
    TestPki.Issued fallback = pki.rsa("default-cert", "default.test");
    aRsa = pki.rsa("a-rsa", "a.example.com");
    TestPki.Issued aEc = pki.ecdsa("a-ecdsa", "a.example.com");
    TestPki.Issued wild = pki.rsa("wild-cert", "*.wild.test");
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                yaml =
                    """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
            tls:
              certificates:
                - {certificate_file: "%s", key_file: "%s"}
                - {certificate_file: "%s", key_file: "%s"}
                - {certificate_file: "%s", key_file: "%s"}
                - {certificate_file: "%s", key_file: "%s"}
          - name: strict
            address: 127.0.0.1
            port: %d
            http2: {enabled: false}
            tls:
              unknown_server_name: refuse
              handshake_timeout: 1s
              certificates: [{certificate_file: "%s", key_file: "%s"}]
          - name: capped
            address: 127.0.0.1
            port: %d
            tls:
              max_concurrent_handshakes: 1
              handshake_timeout: 60s
              certificates: [{certificate_file: "%s", key_file: "%s"}]
          - name: mtls
            address: 127.0.0.1
            port: %d
            tls:
              certificates: [{certificate_file: "%s", key_file: "%s"}]
              client_verification: {ca_file: "%s"}
          - name: mtls-optional
            address: 127.0.0.1
            port: %d
            tls:
              certificates: [{certificate_file: "%s", key_file: "%s"}]
              client_verification: {mode: optional, ca_file: "%s"}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: app}
            request_headers:
              set:
                - {name: X-Forwarded-Proto, value: $scheme}
                - {name: X-Https, value: $https}
                - {name: X-Sni, value: $ssl_server_name}
                - {name: X-Tls, value: "$ssl_protocol $ssl_cipher"}
                - {name: X-Verify, value: $ssl_client_verify}
                - {name: X-Client-Dn, value: $ssl_client_s_dn}
        """
                        .formatted(
                            ports.next(),
                            fallback.certificate(),
                            fallback.key(),
                            aRsa.certificate(),
                            aRsa.key(),
                            aEc.certificate(),
                            aEc.key(),
                            wild.certificate(),
                            wild.key(),
                            ports.next(),
                            aRsa.certificate(),
                            aRsa.key(),
                            ports.next(),
                            aRsa.certificate(),
                            aRsa.key(),
                            ports.next(),
                            aRsa.certificate(),
                            aRsa.key(),
                            pki.caCertificate(),
                            ports.next(),
                            aRsa.certificate(),
                            aRsa.key(),
                            pki.caCertificate(),
                            backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    System.clearProperty(TlsEngine.FORCE_PROPERTY);
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static int port(String listener) {
    return node.address(listener).getPort();
  }

  /** {@code openssl s_client} to {@code listener}; stdout and stderr together. */
  static CommandRunner.Result sClient(String listener, String... args) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "/usr/bin/openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + port(listener),
            "-CAfile",
            pki.caCertificate().toString()));
    command.addAll(List.of(args));
    return CommandRunner.run(WAIT, command);
  }

  static String subject(CommandRunner.Result r) {
    for (String line : r.stdout().split("\n")) {
      if (line.startsWith("subject=")) {
        return line.substring("subject=".length()).replace(" ", "");
      }
    }
    throw new AssertionError("no certificate in\n" + r);
  }

  @Test
  void sniPicksTheCertificateOfTheNameExactBeforeWildcard() {
    assertEquals(
        "CN=a-rsa",
        subject(
            sClient(
                "web", "-servername", "a.example.com", "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256")));
    assertEquals("CN=wild-cert", subject(sClient("web", "-servername", "x.wild.test")));
    // A wildcard covers one label only.
    assertEquals("CN=default-cert", subject(sClient("web", "-servername", "b.x.wild.test")));
    assertEquals("CN=default-cert", subject(sClient("web", "-servername", "wild.test")));
  }

  @Test
  void aClientWithoutSniOrWithAnUnknownNameGetsTheFirstCertificate() {
    assertEquals("CN=default-cert", subject(sClient("web", "-noservername")));
    assertEquals("CN=default-cert", subject(sClient("web", "-servername", "nobody.test")));
  }

  @Test
  void rsaAndEcdsaForTheSameNameAreChosenByWhatTheClientSupports() {
    assertEquals(
        "CN=a-ecdsa",
        subject(sClient("web", "-servername", "a.example.com", "-sigalgs", "ECDSA+SHA256")));
    assertEquals(
        "CN=a-rsa",
        subject(sClient("web", "-servername", "a.example.com", "-sigalgs", "RSA-PSS+SHA256")));
    assertEquals(
        "CN=a-ecdsa",
        subject(
            sClient("web", "-tls1_2", "-servername", "a.example.com", "-sigalgs", "ECDSA+SHA256")));
    assertEquals(
        "CN=a-rsa",
        subject(
            sClient("web", "-tls1_2", "-servername", "a.example.com", "-sigalgs", "RSA+SHA256")));
  }

  @Test
  void anUnknownNameIsRefusedWithUnrecognizedNameWhereTheListenerSaysSo() {
    CommandRunner.Result r = sClient("strict", "-servername", "nobody.test");
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.toString().contains("unrecognized name"), r.toString());
    assertEquals("CN=a-rsa", subject(sClient("strict", "-servername", "a.example.com")));
  }

  @Test
  void tls11IsRefused() {
    CommandRunner.Result r = sClient("web", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.toString().contains("alert protocol version"), r.toString());
  }

  @Test
  void aCipherOutsideTheListIsRefused() {
    CommandRunner.Result r = sClient("web", "-tls1_2", "-cipher", "AES128-SHA");
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.toString().contains("handshake failure"), r.toString());
    CommandRunner.Result ok = sClient("web", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
    assertTrue(ok.stdout().contains("ECDHE-RSA-AES128-GCM-SHA256"), ok.toString());
  }

  @Test
  void alpnPrefersH2AndOffersOnlyHttp11WhereHttp2IsOff() {
    CommandRunner.Result r = sClient("web", "-alpn", "http/1.1,h2");
    assertTrue(r.stdout().contains("ALPN protocol: h2"), r.toString());
    CommandRunner.Result h1 = sClient("web", "-alpn", "http/1.1");
    assertTrue(h1.stdout().contains("ALPN protocol: http/1.1"), h1.toString());
    CommandRunner.Result off =
        sClient("strict", "-servername", "a.example.com", "-alpn", "h2,http/1.1");
    assertTrue(off.stdout().contains("ALPN protocol: http/1.1"), off.toString());
  }

  @Test
  void curlOverHttpsReachesTheBackendWithTheTlsVariables() {
    int port = port("web");
    CommandRunner.Result r =
        CommandRunner.run(
            WAIT,
            List.of(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{ssl_verify_result}",
                "--cacert",
                pki.caCertificate().toString(),
                "--resolve",
                "a.example.com:" + port + ":127.0.0.1",
                "https://a.example.com:" + port + "/hello"));
    assertEquals("200 0", r.stdout(), r.toString());
    RecordedRequest seen = backend.takeRequest(WAIT);
    assertEquals("/hello", seen.uri());
    assertEquals("https", seen.header("X-Forwarded-Proto"));
    assertEquals("on", seen.header("X-Https"));
    assertEquals("a.example.com", seen.header("X-Sni"));
    assertTrue(seen.header("X-Tls").startsWith("TLSv1.3 TLS_"), seen.header("X-Tls"));
    assertEquals("NONE", seen.header("X-Verify"));
  }

  @Test
  void wssIsRelayedThroughTls() throws Exception {
    URI uri = URI.create("wss://127.0.0.1:" + port("web") + "/ws/room");
    try (WsClient client = WsClient.connect(uri, pki.clientContext())) {
      client.send(s -> s.sendText("hello over tls", true));
      assertEquals("hello over tls", client.nextMessage(WAIT));
      byte[] big = new byte[200_000];
      new java.util.Random(3).nextBytes(big);
      client.send(s -> s.sendBinary(java.nio.ByteBuffer.wrap(big), true));
      org.junit.jupiter.api.Assertions.assertArrayEquals(big, (byte[]) client.nextMessage(WAIT));
    }
    RecordedRequest upgrade = backend.takeRequest(WAIT);
    assertEquals("websocket", upgrade.header("Upgrade").toLowerCase(java.util.Locale.ROOT));
    assertEquals("https", upgrade.header("X-Forwarded-Proto"));
  }

  private static CommandRunner.Result curl(String listener, String... extra) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--cacert",
                pki.caCertificate().toString()));
    command.addAll(List.of(extra));
    command.add("https://127.0.0.1:" + port(listener) + "/mtls");
    return CommandRunner.run(WAIT, command);
  }

  @Test
  void aRequiredClientCertificateIsCheckedAndItsSubjectForwarded() {
    CommandRunner.Result without = curl("mtls");
    assertNotEquals(0, without.exitCode(), without.toString());
    TestPki.Issued client = pki.client("alice");
    CommandRunner.Result with =
        curl("mtls", "--cert", client.certificate().toString(), "--key", client.key().toString());
    assertEquals("200", with.stdout(), with.toString());
    RecordedRequest seen = backend.takeRequest(WAIT);
    assertEquals("SUCCESS", seen.header("X-Verify"));
    assertEquals("CN=alice", seen.header("X-Client-Dn"));
  }

  @Test
  void anOptionalClientCertificateIsReportedAsNoneSuccessOrFailed() {
    assertEquals("200", curl("mtls-optional").stdout());
    assertEquals("NONE", backend.takeRequest(WAIT).header("X-Verify"));
    TestPki.Issued client = pki.client("bob");
    assertEquals(
        "200",
        curl(
                "mtls-optional",
                "--cert",
                client.certificate().toString(),
                "--key",
                client.key().toString())
            .stdout());
    assertEquals("SUCCESS", backend.takeRequest(WAIT).header("X-Verify"));
    TestPki.Issued stranger = TestPki.selfSignedClient(dir, "mallory");
    CommandRunner.Result r =
        curl(
            "mtls-optional",
            "--cert",
            stranger.certificate().toString(),
            "--key",
            stranger.key().toString());
    assertEquals("200", r.stdout(), r.toString());
    RecordedRequest seen = backend.takeRequest(WAIT);
    assertTrue(seen.header("X-Verify").startsWith("FAILED:"), seen.header("X-Verify"));
    assertEquals("CN=mallory", seen.header("X-Client-Dn"));
  }

  static double refusals(String listener, String reason) {
    io.micrometer.core.instrument.Counter c =
        node.registry()
            .find("wharf.tls.handshakes.refused")
            .tags("listener", listener, "reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aClientThatSendsNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
    double before = refusals("strict", "handshake_failed");
    try (Socket s = new Socket("127.0.0.1", port("strict"))) {
      s.setSoTimeout((int) WAIT.toMillis());
      assertEquals(-1, s.getInputStream().read());
    }
    Await.until(
        WAIT,
        () -> refusals("strict", "handshake_failed") == before + 1,
        () -> "handshake_failed: " + refusals("strict", "handshake_failed"));
  }

  @Test
  void aConnectionClosedBeforeItSentAByteIsNoFailedHandshake() throws Exception {
    double before = refusals("strict", "handshake_failed");
    new Socket("127.0.0.1", port("strict")).close();
    // the silent client after it is counted, and only it
    aClientThatSendsNothingIsClosedAfterTheHandshakeTimeout();
    assertEquals(before + 1, refusals("strict", "handshake_failed"));
  }

  @Test
  void plainHttpToATlsPortIsAnsweredAsNginxDoes() throws Exception {
    double plainBefore = refusals("web", "plain_http");
    double failedBefore = refusals("web", "handshake_failed");
    try (Socket s = new Socket("127.0.0.1", port("web"))) {
      s.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
      assertTrue(answer.endsWith("The plain HTTP request was sent to HTTPS port\r\n"), answer);
    }
    assertEquals(0, backend.pendingRequests());
    // one connection, one reason: not also a failed handshake
    Await.until(
        WAIT,
        () -> node.node().tls().get("web").handshakesInProgress() == 0,
        () -> "handshakes in progress");
    assertEquals(plainBefore + 1, refusals("web", "plain_http"));
    assertEquals(failedBefore, refusals("web", "handshake_failed"));
  }

  @Test
  void aCertificateTheNodeCannotReadRefusesTheConfigAndTheOldOneKeepsServing() {
    String broken =
        yaml.replaceFirst(
            "certificate_file: \"[^\"]+\"", "certificate_file: \"/nonexistent/cert.pem\"");
    ConfigException e = assertThrows(ConfigException.class, () -> node.apply(broken));
    assertTrue(e.getMessage().contains("listeners[0].tls.certificates[0]"), e.getMessage());
    assertTrue(e.getMessage().contains("/nonexistent/cert.pem"), e.getMessage());
    assertEquals("CN=default-cert", subject(sClient("web", "-noservername")));
  }

  @Test
  void handshakesOverTheCapAreClosedAtOnce() throws Exception {
    TlsTerminator capped = node.node().tls().get("capped");
    try (Socket first = new Socket("127.0.0.1", port("capped"))) {
      Await.until(
          WAIT,
          () -> capped.handshakesInProgress() == 1,
          () -> "in progress: " + capped.handshakesInProgress());
      try (Socket second = new Socket("127.0.0.1", port("capped"))) {
        second.setSoTimeout((int) WAIT.toMillis());
        assertEquals(-1, second.getInputStream().read());
      }
      assertEquals(
          1.0,
          node.registry()
              .get("wharf.tls.handshakes.refused")
              .tag("listener", "capped")
              .tag("reason", "over_capacity")
              .counter()
              .count());
    }
    Await.until(
        WAIT,
        () -> capped.handshakesInProgress() == 0,
        () -> "in progress: " + capped.handshakesInProgress());
    assertEquals("CN=a-rsa", subject(sClient("capped", "-servername", "a.example.com")));
  }

  @Test
  void hostileRecordsCloseTheConnectionAndReachNoBackend() throws Exception {
    byte[][] hostile = {
      // a handshake record that claims 65535 bytes, then garbage
      {0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5},
      // an SSLv2-style hello
      {(byte) 0x80, 0x2e, 0x01, 0x00, 0x02},
      // a ClientHello header with a zero length body
      {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00},
      // NUL bytes
      {0, 0, 0, 0},
    };
    for (byte[] bytes : hostile) {
      try (Socket s = new Socket("127.0.0.1", port("web"))) {
        s.setSoTimeout((int) WAIT.toMillis());
        s.getOutputStream().write(bytes);
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        byte[] answer = in.readAllBytes();
        // at most a TLS alert record, never HTTP
        assertTrue(answer.length == 0 || answer[0] == 0x15, java.util.Arrays.toString(answer));
      }
    }
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void aTls12SessionResumes() throws Exception {
    Path session = dir.resolve("session-" + TlsEngine.detect().tag());
    CommandRunner.Result first =
        sClient("web", "-tls1_2", "-servername", "a.example.com", "-sess_out", session.toString());
    assertTrue(first.stdout().contains("New, TLSv1.2"), first.toString());
    CommandRunner.Result second =
        sClient("web", "-tls1_2", "-servername", "a.example.com", "-sess_in", session.toString());
    assertTrue(second.stdout().contains("Reused, TLSv1.2"), second.toString());
  }

  @Test
  void theEngineIsInTheMetrics() {
    assertEquals(
        1.0,
        node.registry()
            .get("wharf.tls.engine.info")
            .tag("engine", TlsEngine.detect().tag())
            .gauge()
            .value());
  }
}
