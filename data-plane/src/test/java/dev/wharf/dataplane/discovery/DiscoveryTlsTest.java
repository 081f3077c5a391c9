package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The default channel factory over TLS: it trusts the CA it is given, and only that one. */
@ExtendWith(NettyLeakExtension.class)
class DiscoveryTlsTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir static Path certs;
  @TempDir Path stateDir;
  private static TestCertificates controlPlane;
  private static TestCertificates stranger;

  @BeforeAll
  static void makeCertificates() throws Exception {
    controlPlane = TestCertificates.create(certs, "control-plane");
    stranger = TestCertificates.create(certs, "stranger");
  }

  private DiscoveryClient.Builder client(
      ServingNode node, FakeControlPlane cp, Path ca, SimpleMeterRegistry registry)
      throws IOException {
    return DiscoveryClient.builder()
        .nodeId("tls-node")
        .targets(List.of(cp.target))
        .channelFactory(ChannelFactory.tls(ca))
        .token("over-tls")
        .sink(node.sink)
        .snapshotFile(SnapshotFile.in(stateDir))
        .backoff(
            Backoff.exponential(
                Duration.ofMillis(5), Duration.ofMillis(50), new SplittableRandom(5)))
        .meterRegistry(registry)
        .controlPlaneTimeout(Duration.ZERO); // FakeControlPlane sends no heartbeats
  }

  @Test
  void withTheControlPlanesCaTheNodeTakesConfigOverTls() throws Exception {
    int port = ServingNode.CONFIGURED_PORT; // the node binds a fresh one
    try (FakeControlPlane cp = FakeControlPlane.tls(controlPlane);
        ServingNode node = new ServingNode();
        DiscoveryClient client =
            client(node, cp, controlPlane.certificate(), new SimpleMeterRegistry()).build()) {
      client.start();

      assertEquals("Bearer over-tls", cp.nextAuthorization());
      assertEquals("tls-node", cp.nextHello().getNodeId());
      cp.push(2, "n2", ServingNode.respond(port, "pushed over tls"));

      assertEquals(2, cp.nextAck().getVersion());
      assertEquals("pushed over tls", node.get());
    }
  }

  @Test
  void withAnotherCaTheNodeDoesNotTalkToTheControlPlaneAndKeepsTrying() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FakeControlPlane cp = FakeControlPlane.tls(controlPlane);
        ServingNode node = new ServingNode();
        LogCapture log = new LogCapture(DiscoveryClient.class);
        DiscoveryClient client = client(node, cp, stranger.certificate(), registry).build()) {
      client.start();

      Await.until(
          BOUND,
          () -> registry.get("wharf.discovery.reconnects").counter().count() >= 2,
          () -> "the client did not retry");
      assertFalse(client.connected());
      assertEquals(0, node.sink.version());
      assertTrue(
          log.lines()
              .get(0)
              .startsWith(
                  "WARN control plane "
                      + cp.target
                      + ": stream ended: UNAVAILABLE (io exception): unable to find valid certification "
                      + "path to requested target; trying "
                      + cp.target
                      + " in "),
          log.lines().get(0));
    }
  }

  @Test
  void aCaFileThatIsNotACertificateFailsAtStartupNamingTheFile() throws Exception {
    Path bogus = Files.writeString(certs.resolve("bogus.pem"), "not a certificate\n");

    IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IOException.class, () -> ChannelFactory.tls(bogus));

    assertTrue(e.getMessage().startsWith("CA file " + bogus + ": "), e.getMessage());
  }
}
