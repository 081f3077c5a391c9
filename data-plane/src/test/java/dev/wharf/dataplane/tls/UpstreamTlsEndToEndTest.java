package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.TestCertificates;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams with {@code tls}: a real node proxies to real HTTPS backends (Netty servers with the
 * JDK's TLS engine) and the test reads what the client got and what each backend saw.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamTlsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private static TestCertificates backendCert;
  private static TestCertificates clientCert;
  private static TestBackend secure;
  private static TestBackend stranger;
  private static TestBackend mtls;
  private static TestBackend plain;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    backendCert = TestCertificates.create(dir, "backend");
    TestCertificates strangerCert = TestCertificates.create(dir, "stranger");
    TestCertificates.Authority clients = TestCertificates.authority(dir, "clients");
    clientCert = clients.issue("wharf-node", "CN=wharf-node,OU=edge");
    secure = TestBackend.startTls("secure", server(backendCert).build());
    stranger = TestBackend.startTls("stranger", server(strangerCert).build());
    mtls =
        TestBackend.startTls(
            "mtls",
            server(backendCert)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(clients.certificate().toFile())
                .build());
    plain = TestBackend.start("plain");
    node =
        TestNode.builder()
            .workers(1)
            .build()
            .start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %1$d}
                    upstreams:
                      - name: secure
                        endpoints: [{address: "%2$s"}]
                        tls: {ca_file: "%5$s"}
                      - name: wrong-name
                        endpoints: [{address: "%2$s"}]
                        tls: {ca_file: "%5$s", server_name: wrong.example}
                      - name: untrusted
                        endpoints: [{address: "%3$s"}]
                        tls: {ca_file: "%5$s"}
                      - name: unverified
                        endpoints: [{address: "%3$s"}]
                        tls: {verify: false}
                      - name: named
                        endpoints: [{address: "%2$s"}]
                        tls: {verify: false, server_name: api.internal}
                      - name: quiet
                        endpoints: [{address: "%2$s"}]
                        tls: {verify: false, server_name: api.internal, send_server_name: false}
                      - name: mtls
                        endpoints: [{address: "%4$s"}]
                        tls: {ca_file: "%5$s", certificate_file: "%6$s", key_file: "%7$s"}
                      - name: anonymous
                        endpoints: [{address: "%4$s"}]
                        tls: {ca_file: "%5$s"}
                      - name: not-tls
                        endpoints: [{address: "%9$s"}]
                        tls: {verify: false}
                    routes:
                    %8$s
                    """
                        .formatted(
                            ports.next(),
                            secure.endpoint(),
                            stranger.endpoint(),
                            mtls.endpoint(),
                            backendCert.certificate(),
                            clientCert.certificate(),
                            clientCert.privateKey(),
                            routes(
                                "secure",
                                "wrong-name",
                                "untrusted",
                                "unverified",
                                "named",
                                "quiet",
                                "mtls",
                                "anonymous",
                                "not-tls"),
                            plain.endpoint()));
  }

  /** One route per upstream: {@code /NAME/rest} goes to upstream NAME as {@code /rest}. */
  private static String routes(String... upstreams) {
    StringBuilder b = new StringBuilder();
    for (String u : upstreams) {
      b.append(
          """
            - name: %1$s
              match: {path: {prefix: /%1$s/}}
              proxy: {upstream: %1$s, rewrite: {regex: "^/%1$s(/.*)", replacement: $1}}
          """
              .formatted(u));
    }
    return b.toString();
  }

  private static SslContextBuilder server(TestCertificates cert) {
    return SslContextBuilder.forServer(cert.certificate().toFile(), cert.privateKey().toFile())
        .sslProvider(SslProvider.JDK);
  }

  /** Each test reads only what its own requests left in the backends. */
  @BeforeEach
  void forgetEarlierTests() {
    for (TestBackend b : new TestBackend[] {secure, stranger, mtls}) {
      while (b.pendingRequests() > 0) {
        b.takeRequest(WAIT);
      }
      b.forgetHandshakes();
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    for (TestBackend b : new TestBackend[] {secure, stranger, mtls, plain}) {
      if (b != null) {
        b.close();
      }
    }
  }

  @Test
  void proxiesToAnHttpsUpstreamVerifiedByItsCaFile() throws Exception {
    HttpResponse<String> r =
        Http.send(
            Http.request(node.uri("web", "/secure/hello?x=1"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("over tls"))
                .build());

    assertEquals(200, r.statusCode());
    assertEquals("over tls", r.body());
    RecordedRequest seen = secure.takeRequest(WAIT);
    assertEquals("POST", seen.method());
    assertEquals("/hello?x=1", seen.uri());
    assertEquals("", secure.takeServerName(WAIT), "no SNI for an IP address");
  }

  @Test
  void aCertificateFromAnUnknownCaIsRefusedAndTheBackendReceivesNothing() throws Exception {
    int failedBefore = stranger.failedHandshakes();

    assertEquals(502, Http.get(node.uri("web", "/untrusted/secret")).statusCode());

    Await.until(
        WAIT,
        () -> stranger.failedHandshakes() > failedBefore,
        () -> "the backend saw no failed handshake");
    assertEquals(0, stranger.pendingRequests(), "the request never left Wharf");
  }

  @Test
  void aCertificateForAnotherNameIsRefused() throws Exception {
    int failedBefore = secure.failedHandshakes();

    assertEquals(502, Http.get(node.uri("web", "/wrong-name/secret")).statusCode());

    Await.until(WAIT, () -> secure.failedHandshakes() > failedBefore, () -> "no failed handshake");
    assertEquals("wrong.example", secure.takeServerName(WAIT));
    assertEquals(0, secure.pendingRequests());
  }

  @Test
  void anEndpointThatAnswersTheClientHelloInPlainHttpIs502() throws Exception {
    assertEquals(502, Http.get(node.uri("web", "/not-tls/x")).statusCode());
    // The backend read the ClientHello as a request line and refused it: no request was taken
    assertEquals(0, plain.pendingRequests());
  }

  @Test
  void verifyFalseAcceptsAnyCertificate() throws Exception {
    HttpResponse<String> r = Http.get(node.uri("web", "/unverified/anything"));

    assertEquals(200, r.statusCode());
    assertEquals("/anything", stranger.takeRequest(WAIT).uri());
  }

  @Test
  void theServerNameGoesOutAsSniUnlessTurnedOff() throws Exception {
    assertEquals(200, Http.get(node.uri("web", "/named/x")).statusCode());
    secure.takeRequest(WAIT);
    assertEquals("api.internal", secure.takeServerName(WAIT));

    assertEquals(200, Http.get(node.uri("web", "/quiet/x")).statusCode());
    secure.takeRequest(WAIT);
    assertEquals("", secure.takeServerName(WAIT));
  }

  @Test
  void theClientCertificateIsPresentedToABackendThatRequiresOne() throws Exception {
    assertEquals(200, Http.get(node.uri("web", "/mtls/who")).statusCode());
    assertEquals("/who", mtls.takeRequest(WAIT).uri());
    assertEquals(
        "CN=wharf-node, OU=edge",
        mtls.takeClientSubject(WAIT).replace(",", ", ").replace(",  ", ", "));

    assertEquals(502, Http.get(node.uri("web", "/anonymous/who")).statusCode());
    assertEquals(0, mtls.pendingRequests(), "no request without a client certificate");
  }

  @Test
  void keepAliveRequestsShareOneTlsConnection() throws Exception {
    Http.get(node.uri("web", "/secure/warm-up"));
    secure.takeRequest(WAIT);
    int connections = secure.connectionsAccepted();

    for (int i = 0; i < 5; i++) {
      assertEquals(200, Http.get(node.uri("web", "/secure/again/" + i)).statusCode());
      assertEquals("/again/" + i, secure.takeRequest(WAIT).uri());
    }

    assertEquals(connections, secure.connectionsAccepted(), "no new connection for 5 requests");
  }

  @Test
  void aWebSocketUpgradeRelaysOverTls() throws Exception {
    try (WsClient ws = WsClient.connect(node.wsUri("web", "/secure/ws"))) {
      ws.send(s -> s.sendText("over wss", true));
      assertEquals("over wss", ws.nextMessage(WAIT));
    }
  }

  @Test
  void anUnreadableCaFileRefusesTheConfigAndKeepsTheOldOne() throws Exception {
    String missing = dir.resolve("missing-ca.pem").toString();
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                node.apply(
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %1$d}
                    upstreams:
                      - name: secure
                        endpoints: [{address: "%2$s"}]
                        tls: {ca_file: "%3$s"}
                    routes:
                      - name: all
                        match: {path: {prefix: /}}
                        proxy: {upstream: secure}
                    """
                        .formatted(node.address("web").getPort(), secure.endpoint(), missing)));

    assertEquals(
        "upstreams[0].tls.ca_file: " + missing + " does not exist", e.errors().get(0).toString());
    assertEquals(200, Http.get(node.uri("web", "/secure/still")).statusCode());
    secure.takeRequest(WAIT);
  }
}
