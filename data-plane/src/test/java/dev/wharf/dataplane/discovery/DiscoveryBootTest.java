package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node starting with a snapshot file: it serves a valid one while no control plane answers, and
 * refuses a damaged one (and says so) until a control plane pushes a config.
 */
@ExtendWith(NettyLeakExtension.class)
class DiscoveryBootTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir Path stateDir;
  private final int port = ServingNode.CONFIGURED_PORT; // the node binds a fresh one

  private void save(long version, String body) throws IOException {
    SnapshotFile.in(stateDir)
        .write(
            Snapshot.newBuilder()
                .setVersion(version)
                .setNonce("saved")
                .setConfig(ServingNode.respond(port, body))
                .build());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void withNoControlPlaneReachableTheSavedSnapshotServes() throws Exception {
    save(9, "saved version nine");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ServingNode node = new ServingNode();
        LogCapture log = new LogCapture(SnapshotApplier.class);
        DiscoveryClient client =
            DiscoveryClient.builder()
                .nodeId("node-a")
                .targets(List.of("127.0.0.1:" + closedPort()))
                .sink(node.sink)
                .snapshotFile(SnapshotFile.in(stateDir))
                .backoff(
                    Backoff.exponential(
                        Duration.ofMillis(5), Duration.ofMillis(50), new SplittableRandom(3)))
                .meterRegistry(registry)
                .build()) {
      client.start();

      assertEquals("saved version nine", node.get(), "served as soon as start() returns");
      assertEquals(9, node.sink.version());
      assertTrue(
          log.lines()
              .contains(
                  "INFO serving version 9 from "
                      + stateDir.toAbsolutePath().resolve("snapshot.pb")
                      + " until a control plane answers"),
          log.lines().toString());
      Await.until(
          BOUND,
          () -> registry.get("wharf.discovery.reconnects").counter().count() >= 2,
          () -> "the client stopped trying the control plane");
      assertEquals("saved version nine", node.get());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a flipped byte", "a truncated file"})
  void aCorruptSnapshotFileIsNotServedAndTheNextPushIs(String damage) throws Exception {
    save(9, "saved version nine");
    Path file = SnapshotFile.in(stateDir).path();
    if (damage.equals("a flipped byte")) {
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 3] ^= 0x20;
      Files.write(file, bytes);
    } else {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() - 10);
      }
    }
    try (FakeControlPlane cp = FakeControlPlane.inProcess("cp-" + UUID.randomUUID());
        ServingNode node = new ServingNode();
        LogCapture log = new LogCapture(SnapshotApplier.class);
        DiscoveryClient client =
            DiscoveryClient.builder()
                .nodeId("node-a")
                .targets(List.of(cp.target))
                .channelFactory(t -> InProcessChannelBuilder.forName(t).build())
                .sink(node.sink)
                .snapshotFile(SnapshotFile.in(stateDir))
                .controlPlaneTimeout(Duration.ZERO) // FakeControlPlane sends no heartbeats
                .build()) {
      client.start();

      assertNull(node.node.current(), "nothing serves");
      assertEquals(0, cp.nextHello().getVersion());
      String error =
          log.lines().stream()
              .filter(l -> l.startsWith("ERROR"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no error logged: " + log.lines()));
      assertTrue(error.startsWith("ERROR " + file + " is corrupt: "), error);
      assertTrue(
          error.endsWith("; not serving it, waiting for a push from the control plane"), error);

      cp.push(10, "n10", ServingNode.respond(port, "pushed version ten"));

      assertEquals(10, cp.nextAck().getVersion());
      assertEquals("pushed version ten", node.get());
      assertEquals(
          10,
          SnapshotFile.in(stateDir).read().orElseThrow().getVersion(),
          "the damaged file is replaced by the pushed snapshot");
    }
  }
}
