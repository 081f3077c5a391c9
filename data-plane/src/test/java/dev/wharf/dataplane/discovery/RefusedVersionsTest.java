package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.testkit.FreePorts;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, defect 2, on the node's side: the versions a node refused travel in every hello (to
 * another replica, after a restart) until it applies a newer one, so no replica pushes them again.
 */
@ExtendWith(NettyLeakExtension.class)
class RefusedVersionsTest {
  @TempDir Path stateDir;
  private final int port = FreePorts.loopback();
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    open.push(resource);
    return resource;
  }

  private DiscoveryClient started(ServingNode node, String... targets) throws Exception {
    DiscoveryClient c =
        DiscoveryClient.builder()
            .nodeId("node-a")
            .targets(List.of(targets))
            .channelFactory(t -> InProcessChannelBuilder.forName(t).build())
            .sink(node.sink)
            .snapshotFile(SnapshotFile.in(stateDir))
            .backoff(
                Backoff.exponential(
                    Duration.ofMillis(5), Duration.ofMillis(50), new SplittableRandom(7)))
            .build();
    c.start();
    return c;
  }

  private FakeControlPlane controlPlane() throws Exception {
    return track(FakeControlPlane.inProcess("cp-" + UUID.randomUUID()));
  }

  @Test
  void aRefusedVersionIsInTheHelloToAnotherReplicaAndAfterARestartUntilANewerOneApplies()
      throws Exception {
    FakeControlPlane first = controlPlane();
    FakeControlPlane second = controlPlane();
    try (ServingNode node = new ServingNode();
        DiscoveryClient client = started(node, first.target, second.target)) {
      assertEquals(List.of(), first.nextHello().getRefusedVersionsList());
      first.push(1, "n1", ServingNode.respond(port, "version one"));
      first.nextAck();
      first.push(2, "n2", ServingNode.missingUpstream(port));
      first.nextNack();

      first.close(); // the replica dies: the node moves on
      assertEquals(List.of(2L), second.nextHello().getRefusedVersionsList());
    }
    FakeControlPlane afterRestart = controlPlane();
    ServingNode restarted = track(new ServingNode());
    track(started(restarted, afterRestart.target));

    assertEquals(List.of(2L), afterRestart.nextHello().getRefusedVersionsList(), "kept on disk");
    afterRestart.push(3, "n3", ServingNode.respond(port, "version three"));
    afterRestart.nextAck();
    assertEquals("", Files.readString(stateDir.resolve(RefusedVersions.NAME)), "moot now");
  }

  @Test
  void aRefusalsFileWithHostileBytesIsForgottenAndTheNodeStartsAsUsual() throws Exception {
    Files.write(
        stateDir.resolve(RefusedVersions.NAME),
        "7\n\u0000\u00ff-1\n99999999999999999999999\n".getBytes(StandardCharsets.ISO_8859_1));
    FakeControlPlane cp = controlPlane();
    ServingNode node = track(new ServingNode());
    track(started(node, cp.target));

    assertEquals(List.of(), cp.nextHello().getRefusedVersionsList());
    cp.push(7, "n7", ServingNode.respond(port, "version seven"));
    assertEquals(7, cp.nextAck().getVersion(), "pushed and applied as any version");
  }

  @Test
  void onlyTheNewestRefusalsAreKept() throws Exception {
    RefusedVersions refused = RefusedVersions.beside(SnapshotFile.in(stateDir));
    for (long v = 1; v <= RefusedVersions.KEPT + 4; v++) {
      refused.refused(v);
    }

    List<Long> again = RefusedVersions.beside(SnapshotFile.in(stateDir)).list();

    assertEquals(RefusedVersions.KEPT, again.size());
    assertEquals(5L, again.get(0));
    refused.serves(RefusedVersions.KEPT + 4);
    assertEquals(List.of(), RefusedVersions.beside(SnapshotFile.in(stateDir)).list());
  }
}
