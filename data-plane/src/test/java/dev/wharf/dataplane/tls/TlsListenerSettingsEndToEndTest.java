package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listener TLS settings seen from the client's side of the wire, on the default engine (OpenSSL
 * where it is available, as in production): {@code sessions.tickets: false} (no ticket in TLS 1.2
 * nor 1.3), {@code record_size} (the largest TLS record on the wire) and {@code $ssl_protocol} /
 * {@code $ssl_cipher} in an access log.
 */
@ExtendWith(NettyLeakExtension.class)
class TlsListenerSettingsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int BODY = 65_536;

  @TempDir static Path dir;
  static TestPki pki;
  static TestBackend backend;
  static TestNode node;
  static Path accessLog;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir);
    TestPki.Issued site = pki.ecdsa("site", "site.test");
    accessLog = dir.resolve("access.log");
    backend = TestBackend.start("b");
    String certificate =
        "certificates: [{certificate_file: \"%s\", key_file: \"%s\"}]"
            .formatted(site.certificate(), site.key());
    node =
        TestNode.start(
            ports ->
                """
                listeners:
                  - name: tickets
                    address: 127.0.0.1
                    port: %d
                    tls: {%s}
                  - name: no-tickets
                    address: 127.0.0.1
                    port: %d
                    tls: {%s, sessions: {tickets: false}}
                    access_log:
                      path: "%s"
                      format: "$ssl_protocol $ssl_cipher $request_uri $status"
                  - name: small-records
                    address: 127.0.0.1
                    port: %d
                    tls: {%s, record_size: 1k}
                upstreams:
                  - name: app
                    endpoints: [{address: "%s"}]
                routes:
                  - name: all
                    match: {path: {prefix: /}}
                    proxy: {upstream: app}
                """
                    .formatted(
                        ports.next(),
                        certificate,
                        ports.next(),
                        certificate,
                        accessLog,
                        ports.next(),
                        certificate,
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

  private static int port(String listener) {
    return node.address(listener).getPort();
  }

  /**
   * {@code openssl s_client} sending one request with {@code Connection: close} and reading until
   * the node closes, so that tickets sent after a TLS 1.3 handshake arrive too.
   */
  private static CommandRunner.Result request(String listener, String... options) {
    String command =
        "printf 'GET /s HTTP/1.1\\r\\nHost: site.test\\r\\nConnection: close\\r\\n\\r\\n' |"
            + " /usr/bin/openssl s_client -ign_eof -connect 127.0.0.1:"
            + port(listener)
            + " -servername site.test -CAfile "
            + pki.caCertificate()
            + " "
            + String.join(" ", options);
    CommandRunner.Result r = CommandRunner.run(WAIT, List.of("bash", "-c", command));
    assertTrue(r.stdout().contains("HTTP/1.1 200 OK"), r.toString());
    return r;
  }

  /**
   * Whether a client offering tickets got one: the session {@code s_client -sess_out} saved (it
   * saves none in TLS 1.3 when no ticket came), as {@code openssl sess_id -text} shows it.
   */
  private static boolean ticketIssued(String listener, String protocol) throws IOException {
    Path session = Files.createTempFile(dir, "session-" + listener, ".pem");
    Files.delete(session);
    CommandRunner.Result r = request(listener, protocol, "-sess_out", session.toString());
    assertTrue(r.stdout().contains("New, " + protocol.replace("-tls1_", "TLSv1.")), r.toString());
    if (!Files.exists(session) || Files.size(session) == 0) {
      return false;
    }
    CommandRunner.Result text =
        CommandRunner.run(
            WAIT,
            List.of("/usr/bin/openssl", "sess_id", "-in", session.toString(), "-noout", "-text"));
    return text.stdout().contains("TLS session ticket:");
  }

  @Test
  void withTicketsOffATls12ClientOfferingTheExtensionGetsNoTicket() throws Exception {
    assertTrue(ticketIssued("tickets", "-tls1_2"));
    assertFalse(ticketIssued("no-tickets", "-tls1_2"));
    // without tickets a TLS 1.2 session still resumes by its id, from the node's cache
    Path session = dir.resolve("no-tickets-session.pem");
    request("no-tickets", "-tls1_2", "-sess_out", session.toString());
    CommandRunner.Result again = request("no-tickets", "-tls1_2", "-sess_in", session.toString());
    assertTrue(again.stdout().contains("Reused, TLSv1.2"), again.toString());
  }

  @Test
  void withTicketsOffTls13SendsNoNewSessionTicket() throws Exception {
    assertTrue(ticketIssued("tickets", "-tls1_3"));
    assertFalse(ticketIssued("no-tickets", "-tls1_3"));
    assertFalse(
        request("no-tickets", "-tls1_3")
            .stdout()
            .contains("Post-Handshake New Session Ticket arrived"));
  }

  @Test
  void recordSizeCapsTheRecordsOfA64kResponse() throws Exception {
    int small = largestRecordAfterHandshake("small-records");
    // 1k of data, the inner content type and the 16-byte AEAD tag (TLS 1.3)
    assertTrue(small <= 1024 + 1 + 16, "largest record " + small);
    int usual = largestRecordAfterHandshake("tickets");
    assertTrue(usual > 8 * 1024, "largest record with the default 16k: " + usual);
  }

  /** The largest TLS record payload the node sent after the handshake, for a 64 KB response. */
  private static int largestRecordAfterHandshake(String listener) throws IOException {
    RecordWatchingSocket raw = new RecordWatchingSocket();
    raw.connect(node.address(listener), (int) WAIT.toMillis());
    raw.setSoTimeout((int) WAIT.toMillis());
    try (SSLSocket tls =
        (SSLSocket)
            pki.clientContext()
                .getSocketFactory()
                .createSocket(raw, "127.0.0.1", raw.getPort(), true)) {
      tls.startHandshake();
      raw.records.largest = 0;
      tls.getOutputStream()
          .write(
              ("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] response = tls.getInputStream().readAllBytes();
      String text = new String(response, StandardCharsets.ISO_8859_1);
      assertTrue(text.startsWith("HTTP/1.1 200 OK"), text.substring(0, 40));
      assertEquals(BODY, response.length - text.indexOf("\r\n\r\n") - 4);
      return raw.records.largest;
    }
  }

  @Test
  void theAccessLogShowsProtocolAndCipherAsNginxNamesThem() throws Exception {
    request("no-tickets", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
    request("no-tickets", "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256");
    Await.until(WAIT, () -> lines().size() == 2, () -> "access log: " + String.join("\n", lines()));
    assertEquals(
        List.of(
            "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 /s 200",
            "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 /s 200"),
        lines());
  }

  private static List<String> lines() {
    try {
      return Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Reads TLS record headers as the bytes go by: 1 type, 2 version, 2 length. */
  private static final class RecordWatchingSocket extends Socket {
    final Records records = new Records();

    @Override
    public InputStream getInputStream() throws IOException {
      return new FilterInputStream(super.getInputStream()) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            records.see((byte) b);
          }
          return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
          int n = super.read(buffer, off, len);
          for (int i = 0; i < n; i++) {
            records.see(buffer[off + i]);
          }
          return n;
        }
      };
    }
  }

  private static final class Records {
    private final byte[] header = new byte[5];
    private int headerRead;
    private int bodyLeft;
    volatile int largest;

    synchronized void see(byte b) {
      if (bodyLeft > 0) {
        bodyLeft--;
        return;
      }
      header[headerRead++] = b;
      if (headerRead == header.length) {
        headerRead = 0;
        bodyLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        largest = Math.max(largest, bodyLeft);
      }
    }
  }
}
