package dev.wharf.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replica's side of liveness: heartbeats, nodes that stop answering them, and asking nodes to
 * move; over in-process gRPC with scripted nodes, time a counter the test advances.
 */
class NodeLivenessTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T04:00:00Z"), ZoneOffset.UTC);
  private static final long SECOND = 1_000_000_000L;

  private final BlockingQueue<NodeStatus> statuses = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> disconnects = new LinkedBlockingQueue<>();
  private final AtomicLong nanos = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private DiscoveryState state;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    DiscoveryCallbacks callbacks =
        new DiscoveryCallbacks() {
          @Override
          public void statusChanged(NodeStatus status) {
            statuses.add(status);
          }

          @Override
          public void disconnected(String nodeId) {
            disconnects.add(nodeId);
          }
        };
    state = new DiscoveryState("cp-a", registry, callbacks, CLOCK, nanos::get);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(new DiscoveryService(state), new PeerAddress()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private FakeDiscoveryNode connected(String id) throws Exception {
    FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello(id, 0);
    assertNotNull(statuses.poll(10, TimeUnit.SECONDS), "no status after the hello of " + id);
    return node;
  }

  @Test
  void aNodeIsSentAHeartbeatRightAfterItsHelloAndAtEveryRound() throws Exception {
    try (FakeDiscoveryNode node = connected("n1")) {
      ControlMessage first = node.nextLiveness();
      assertTrue(first.hasHeartbeat(), first.toString());
      assertEquals(1000, first.getHeartbeat().getIntervalMillis());

      state.heartbeat();
      assertTrue(node.nextLiveness().hasHeartbeat());
    }
  }

  @Test
  void aNodeThatStopsAnsweringHeartbeatsIsDisconnectedAfterTheTimeout() throws Exception {
    try (FakeDiscoveryNode node = connected("n1")) {
      node.heartbeat(); // it answers heartbeats: it will be held to them

      nanos.addAndGet(5 * SECOND - 1);
      state.heartbeat();
      assertEquals(1, state.connectedNodes(), "silent for less than the timeout: kept");

      nanos.addAndGet(1);
      state.heartbeat();

      Status end = node.endStatus();
      assertEquals(Status.Code.UNAVAILABLE, end.getCode());
      assertEquals("the node did not answer for 5000 ms", end.getDescription());
      assertEquals("n1", disconnects.poll(10, TimeUnit.SECONDS), "its status was not removed");
      assertEquals(0, state.connectedNodes());
      assertEquals(1.0, registry.get("wharf_cp_nodes_silent").counter().count());
    }
  }

  @Test
  void aNodeThatNeverAnsweredAHeartbeatIsNotTimedOut() throws Exception {
    try (FakeDiscoveryNode older = connected("older")) {
      nanos.addAndGet(60 * SECOND);
      state.heartbeat();
      assertEquals(1, state.connectedNodes(), "a node older than heartbeats was cut off");
      assertEquals(0.0, registry.get("wharf_cp_nodes_silent").counter().count());
      assertEquals(2, older.unreadLiveness().size());
    }
  }

  @Test
  void nodesAreAskedToMoveButNeverWhileAPushWaitsForItsAnswer() throws Exception {
    try (FakeDiscoveryNode a = connected("a");
        FakeDiscoveryNode b = connected("b")) {
      state.publish(version(3));
      Snapshot pushedToA = a.nextPush();
      b.nextPush(); // b does not answer: its push is in flight
      a.ack(pushedToA);
      a.unreadLiveness();
      b.unreadLiveness();

      int asked =
          state.moveAway(2, "cp-a holds 2 of 2 nodes on 2 replicas", new SplittableRandom(1));

      assertEquals(1, asked, "only the node with no push in flight may move");
      ControlMessage toA = a.nextLiveness();
      assertEquals("cp-a holds 2 of 2 nodes on 2 replicas", toA.getMoveAway().getReason());
      assertEquals(List.of(), b.unreadLiveness());
      assertEquals(1.0, registry.get("wharf_cp_nodes_moved").counter().count());
    }
  }

  @Test
  void aNodeAskedToMoveIsNotHeldAnyMoreNorAskedAgainWhileItsStreamLasts() throws Exception {
    try (FakeDiscoveryNode a = connected("a");
        FakeDiscoveryNode b = connected("b")) {
      state.publish(version(3));
      a.ack(a.nextPush());
      b.ack(b.nextPush());
      a.unreadLiveness();
      b.unreadLiveness();

      assertEquals(1, state.moveAway(1, "first round", new SplittableRandom(1)));

      // The asked node has not left yet (its stream is open): the next round must see one held
      // node, and asking again may only pick the other one.
      assertEquals(2, state.connectedNodes());
      assertEquals(1, state.heldNodes());
      assertEquals(1, state.moveAway(2, "second round", new SplittableRandom(1)));
      assertEquals(0, state.heldNodes());
      assertEquals(1, a.unreadLiveness().size(), "node a was asked exactly once over both rounds");
      assertEquals(1, b.unreadLiveness().size(), "node b was asked exactly once over both rounds");
    }
  }

  @Test
  void aReplicaMovesOnlyWhatItHoldsBeyondItsShareAndAtMostTheBound() {
    assertEquals(1, RebalancePlan.of("cp-a", 3, 3, Set.of("cp-a", "cp-b"), 2).moves());
    assertEquals(
        "cp-a holds 3 of 3 nodes on 2 replicas, its share is 2",
        RebalancePlan.of("cp-a", 3, 3, Set.of("cp-a", "cp-b"), 2).reason());
    assertEquals(0, RebalancePlan.of("cp-a", 2, 3, Set.of("cp-a", "cp-b"), 2).moves());
    assertEquals(2, RebalancePlan.of("cp-a", 10, 10, Set.of("cp-a", "cp-b"), 2).moves());
    assertEquals(0, RebalancePlan.of("cp-a", 10, 10, Set.of("cp-a"), 2).moves());
    assertEquals(1, RebalancePlan.of("cp-a", 10, 10, Set.of("cp-b"), 1).moves());
    assertEquals(4, RebalancePlan.of("cp-a", 6, 6, Set.of("cp-a", "cp-b", "cp-c"), 9).moves());
    assertEquals(0, RebalancePlan.of("cp-a", 5, 5, Set.of("cp-a", "cp-b"), 0).moves());
  }

  @Test
  void livenessSettingsSayWhatIsWrong() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new LivenessSettings(
                    Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2));
    assertEquals("nodeTimeout: PT5S (expected: > heartbeatInterval PT5S)", e.getMessage());
  }

  private static VersionedConfig version(long v) throws Exception {
    return new VersionedConfig(
        v,
        ConfigDocuments.load(
            """
            listeners:
              - {name: web, address: 127.0.0.1, port: 8080}
            routes:
              - name: hello
                listeners: [web]
                match: {path: {prefix: /}}
                respond: {body: "v"}
            """,
            "liveness.yaml"),
        Instant.EPOCH);
  }
}
