package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.testkit.Await;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a node notices a replica that stopped answering, and how it moves when its replica asks it
 * to: time is a counter the test advances, so a 5 s silence costs no waiting.
 */
@ExtendWith(NettyLeakExtension.class)
class DiscoveryLivenessTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path stateDir;
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

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

  private DiscoveryClient started(FakeControlPlane... replicas) throws Exception {
    ServingNode node = track(new ServingNode());
    DiscoveryClient c =
        track(
            DiscoveryClient.builder()
                .nodeId("node-a")
                .targets(List.of(replicas).stream().map(r -> r.target).toList())
                .channelFactory(t -> InProcessChannelBuilder.forName(t).build())
                .sink(node.sink)
                .snapshotFile(SnapshotFile.in(stateDir))
                .backoff(
                    Backoff.exponential(
                        Duration.ofMillis(5), Duration.ofMillis(50), new SplittableRandom(7)))
                .meterRegistry(registry)
                .nanoTime(nanos::get)
                .controlPlaneTimeout(TIMEOUT)
                .build());
    c.start();
    return c;
  }

  private FakeControlPlane replica() throws Exception {
    return track(FakeControlPlane.inProcess("cp-" + UUID.randomUUID()));
  }

  private double losses(String reason) {
    Counter c = registry.find("wharf.discovery.stream.losses").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aReplicaSilentForTheTimeoutIsGivenUpForTheNextAndTheLogAndMetricsSayWhy() throws Exception {
    FakeControlPlane hung = replica();
    FakeControlPlane next = replica();
    try (LogCapture log = new LogCapture(DiscoveryClient.class)) {
      DiscoveryClient client = started(hung, next);
      hung.nextHello();
      Await.until(BOUND, client::connected, () -> "never connected");

      nanos.addAndGet(TIMEOUT.toNanos() - 1);
      assertTrue(client.connected(), "a replica silent for less than the timeout is kept");
      nanos.addAndGet(1);

      assertEquals("node-a", next.nextHello().getNodeId(), "moved to the next replica");
      assertEquals(1.0, losses("silent"));
      assertTrue(
          log.lines()
              .contains(
                  "WARN control plane replica "
                      + hung.target
                      + " did not answer for 5 s; moving to the next"),
          log.lines().toString());
    }
  }

  @Test
  void heartbeatsAreAnsweredAndKeepAQuietReplica() throws Exception {
    FakeControlPlane replica = replica();
    DiscoveryClient client = started(replica);
    replica.nextHello();
    for (int i = 0; i < 3; i++) {
      nanos.addAndGet(TIMEOUT.toNanos() - 1_000_000);
      replica.heartbeat();
      NodeMessage answer = replica.next();
      assertEquals(NodeMessage.KindCase.HEARTBEAT, answer.getKindCase(), answer.toString());
    }
    // 15 s of fake time have passed, never 5 s without a word: still on the same stream.
    assertTrue(client.connected());
    assertEquals(0.0, losses("silent"));
    assertEquals(List.of(), replica.unread());
  }

  @Test
  void whenItsReplicaAsksItToMoveTheNodeMovesToTheNextAtOnce() throws Exception {
    FakeControlPlane crowded = replica();
    FakeControlPlane other = replica();
    try (LogCapture log = new LogCapture(DiscoveryClient.class)) {
      started(crowded, other);
      crowded.nextHello();

      crowded.moveAway("cp-a holds 3 of 3 nodes, its share is 2");

      assertEquals("node-a", other.nextHello().getNodeId());
      assertEquals(1.0, losses("moved"));
      assertTrue(
          log.lines()
              .contains(
                  "WARN control plane replica "
                      + crowded.target
                      + " asked this node to move (cp-a holds 3 of 3 nodes, its share is 2)"),
          log.lines().toString());
    }
  }

  @Test
  void aTimeoutOfZeroTurnsTheCheckOff() {
    StreamWatchdog off = new StreamWatchdog(Duration.ZERO, nanos::get);
    assertEquals(null, off.schedule(null, null, () -> {}));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> DiscoveryClient.builder().controlPlaneTimeout(Duration.ofSeconds(-1)));
    assertEquals(
        "controlPlaneTimeout: PT-1S (expected: >= 0, 0 turns the check off)", e.getMessage());
  }
}
