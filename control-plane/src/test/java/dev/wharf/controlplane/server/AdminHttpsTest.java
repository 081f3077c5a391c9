package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.proto.admin.v1.GetConfigResponse;
import dev.wharf.proto.admin.v1.ListHistoryResponse;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/JSON face of a replica that serves mTLS: HTTPS with the replica's certificate, client
 * certificates carrying roles as on the gRPC port, driven by real {@code curl}.
 */
class AdminHttpsTest {
  @TempDir static Path certs;
  @TempDir Path dir;

  private static TestCertificates serverCert;
  private static TestCertificates alice;
  private static TestCertificates bob;
  private static TestCertificates mallory;

  private ControlPlaneServer server;

  @BeforeAll
  static void certificates() throws Exception {
    serverCert = TestCertificates.create(certs, "control-plane");
    TestCertificates.Authority clients = TestCertificates.authority(certs, "clients-ca");
    alice = clients.issue("alice", "CN=alice,OU=admin,O=Wharf");
    bob = clients.issue("bob", "CN=bob,OU=viewer,O=Wharf");
    mallory = TestCertificates.authority(certs, "rogue-ca").issue("mallory", "CN=mallory,OU=admin");
  }

  @BeforeEach
  void start() throws Exception {
    server =
        ControlPlaneServer.builder()
            .store(FileConfigStore.open(dir.resolve("store"), Clock.systemUTC()))
            .replicaId("cp-https")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .adminHttp(new InetSocketAddress("127.0.0.1", 0))
            .tls(serverCert.certificate(), serverCert.privateKey())
            .clientCertificates(
                ClientCertificates.trusting(certs.resolve("clients-ca.crt.pem"), null))
            .tokens(AccessTokens.parse(List.of("viewer viewer-t0ken grafana"), "tokens"))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Curl as(TestCertificates client) {
    List<String> tls =
        client == null
            ? List.of("--cacert", serverCert.certificate().toString())
            : List.of(
                "--cacert",
                serverCert.certificate().toString(),
                "--cert",
                client.certificate().toString(),
                "--key",
                client.privateKey().toString());
    return new Curl("https://127.0.0.1:" + server.adminHttpAddress().getPort(), tls);
  }

  @Test
  void anAdminCertificateWritesAndIsThePrincipalOfItsVersion() {
    Curl.Response put =
        as(alice)
            .send(
                "PUT", "/v1/upstreams/app", null, AdminHttpTest.UPSTREAM, "-H", "If-Match: \"0\"");
    assertEquals(200, put.status(), put::toString);
    ListHistoryResponse history =
        as(alice).get("/v1/history", null).json(ListHistoryResponse.newBuilder()).build();
    assertEquals("alice", history.getEntries(0).getPrincipal());
  }

  @Test
  void aViewerCertificateReadsButMayNotWrite() {
    assertEquals(
        0, as(bob).get("/v1/config", null).json(GetConfigResponse.newBuilder()).getVersion());
    as(bob).send("PUT", "/v1/upstreams/app", null, AdminHttpTest.UPSTREAM).error(403);
  }

  @Test
  void withoutACertificateATokenIsNeededAndACertificateOfAnotherCaIsRefused() {
    as(null).get("/v1/config", null).error(401);
    assertEquals(200, as(null).get("/v1/config", "viewer-t0ken").status());
    CommandRunner.Result rogue = as(mallory).run("/v1/config", List.of("-sS", "-i"));
    assertNotEquals(0, rogue.exitCode(), rogue::toString); // the TLS handshake fails
  }
}
