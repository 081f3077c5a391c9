package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.grpc.inprocess.InProcessChannelBuilder;
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
 * Issue 20, defect 2, on the node's side: the versions a node process refused travel in every hello
 * (to another replica, after its replica restarted) until it applies a newer one, so no replica
 * pushes them again; a node that restarts tries them again.
 */
@ExtendWith(NettyLeakExtension.class)
class RefusedVersionsTest {
  @TempDir Path stateDir;
  private final int port = ServingNode.CONFIGURED_PORT; // the node binds a fresh one
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
  void aRefusedVersionIsInTheHelloToAnotherReplicaUntilANewerOneApplies() throws Exception {
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
      second.push(3, "n3", ServingNode.respond(port, "version three"));
      assertEquals(3, second.nextAck().getVersion(), "the next newer version is pushed");
    }
  }

  @Test
  void aNodeThatRestartsIsPushedTheVersionItRefusedBefore() throws Exception {
    FakeControlPlane cp = controlPlane();
    try (ServingNode node = new ServingNode();
        DiscoveryClient client = started(node, cp.target)) {
      cp.nextHello();
      cp.push(4, "n4", ServingNode.missingUpstream(port));
      cp.nextNack();
    }
    FakeControlPlane afterRestart = controlPlane();
    ServingNode restarted = track(new ServingNode());
    track(started(restarted, afterRestart.target));

    assertEquals(List.of(), afterRestart.nextHello().getRefusedVersionsList());
    afterRestart.push(4, "n4", ServingNode.respond(port, "version four, the cause fixed"));
    assertEquals(4, afterRestart.nextAck().getVersion(), "a restart tries the version again");
  }

  @Test
  void onlyTheNewestRefusalsAreKept() {
    RefusedVersions refused = new RefusedVersions();
    for (long v = 1; v <= RefusedVersions.KEPT + 4; v++) {
      refused.refused(v);
    }

    assertEquals(RefusedVersions.KEPT, refused.list().size());
    assertEquals(5L, refused.list().get(0));
    refused.serves(RefusedVersions.KEPT + 4);
    assertEquals(List.of(), refused.list());
  }
}
