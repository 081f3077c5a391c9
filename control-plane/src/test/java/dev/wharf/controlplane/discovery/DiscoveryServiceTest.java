package dev.wharf.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.NodeMessage;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol rules of discovery.proto, over in-process gRPC with scripted nodes. */
class DiscoveryServiceTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

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

  @Test
  void aNodeGetsTheLatestVersionAfterItsHelloAndItsAckIsRecorded() throws Exception {
    state.publish(version(7, "one"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      NodeStatus hello = nextStatus();
      assertEquals("n1", hello.getNodeId());
      assertEquals("cp-a", hello.getReplica());
      assertEquals("test", hello.getLabelsOrThrow("zone"));
      assertEquals(0, hello.getAckedVersion());

      Snapshot push = node.nextPush();
      assertEquals(7, push.getVersion());
      assertEquals("one", body(push));
      assertFalse(push.getNonce().isEmpty());

      nanos.addAndGet(3_000_000);
      node.ack(push);
      assertEquals(7, nextStatus().getAckedVersion());
      assertEquals(
          3.0, registry.get("wharf_cp_push_to_ack").timer().totalTime(TimeUnit.MILLISECONDS));
    }
  }

  @Test
  void aVersionTheNodeAlreadyRunsIsNotPushed() throws Exception {
    state.publish(version(5, "five"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 5)) {
      nextStatus();
      state.publish(version(6, "six"));

      assertEquals(6, node.nextPush().getVersion(), "version 5 must not have been pushed");
      assertEquals(1.0, registry.get("wharf_cp_pushes_suppressed").counter().count());
    }
  }

  @Test
  void onlyOnePushIsInFlightAndTheLatestVersionFollowsTheAck() throws Exception {
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      nextStatus();
      state.publish(version(1, "one"));
      Snapshot first = node.nextPush();
      state.publish(version(2, "two"));
      state.publish(version(3, "three"));
      assertEquals(0, node.unread(), "nothing may be pushed before the ACK");

      node.ack(first);

      Snapshot next = node.nextPush();
      assertEquals(3, next.getVersion(), "version 2 was superseded before it could be pushed");
      assertEquals("three", body(next));
      assertEquals(0, node.unread());
    }
  }

  @Test
  void aRefusedVersionIsNotPushedAgainButTheNextOneIs() throws Exception {
    state.publish(version(4, "four"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      nextStatus();
      Snapshot push = node.nextPush();
      node.nack(push, "listeners[0].port: address already in use");

      NodeStatus refused = nextStatus();
      assertEquals(0, refused.getAckedVersion());
      assertEquals(4, refused.getLastNackVersion());
      assertEquals("listeners[0].port: address already in use", refused.getLastNackReason());
      assertEquals(0, node.unread());
    }
    assertEquals("n1", disconnects.poll(10, TimeUnit.SECONDS));

    // The node reconnects, still on version 0: version 4 stays refused.
    try (FakeDiscoveryNode again = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      assertEquals(4, nextStatus().getLastNackVersion());
      state.publish(version(5, "five"));

      assertEquals(5, again.nextPush().getVersion(), "version 4 must not be re-sent");
    }
  }

  @Test
  void anAnswerThatMatchesNoPushInFlightIsIgnored() throws Exception {
    state.publish(version(1, "one"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      nextStatus();
      Snapshot push = node.nextPush();

      node.ack(1, "not-the-nonce");
      node.ack(9, push.getNonce());
      assertEquals(2.0, registry.get("wharf_cp_stale_answers").counter().count());
      assertTrue(statuses.isEmpty(), "a stale ACK changed the node's status: " + statuses);

      state.publish(version(2, "two"));
      assertEquals(0, node.unread(), "version 1 is still in flight");
      node.ack(push);
      assertEquals(1, nextStatus().getAckedVersion());
      assertEquals(2, node.nextPush().getVersion());
    }
  }

  @Test
  void anInvalidVersionIsNeverPushed() throws Exception {
    state.publish(version(1, "one"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 1)) {
      nextStatus();
      Config dangling =
          config("x").toBuilder()
              .setRoutes(
                  0,
                  config("x").getRoutes(0).toBuilder()
                      .clearRespond()
                      .setProxy(
                          dev.wharf.proto.config.v1.ProxyAction.newBuilder()
                              .setUpstream("missing")))
              .build();

      assertFalse(state.publish(new VersionedConfig(2, dangling)));
      assertEquals(1, state.latestVersion());
      assertTrue(state.publish(version(3, "three")));

      assertEquals(3, node.nextPush().getVersion());
      assertEquals(1.0, registry.get("wharf_cp_versions_rejected").counter().count());
    }
  }

  @Test
  void theTimeFromCommitToPublishIsMeasured() {
    Config config = config("one");
    state.publish(new VersionedConfig(1, config, CLOCK.instant().minusMillis(40)));
    state.publish(new VersionedConfig(2, config)); // commit time unknown: not measured

    var lag = registry.get("wharf_cp_store_watch_lag").timer();
    assertEquals(1, lag.count());
    assertEquals(40.0, lag.totalTime(TimeUnit.MILLISECONDS));
  }

  @Test
  void eachPublishedVersionTimesItsValidationAndItsFanOutOnce() {
    state.publish(version(1, "one"));
    state.publish(version(2, "two"));
    state.publish(version(2, "again")); // not newer: neither validated nor offered

    for (String stage : new String[] {"validate", "fan_out"}) {
      var timer = registry.get("wharf_cp_publish").tag("stage", stage).timer();
      assertEquals(2, timer.count(), stage);
    }
  }

  @Test
  void versionsThatDoNotGoUpAreIgnored() {
    assertTrue(state.publish(version(5, "five")));
    assertFalse(state.publish(version(5, "again")));
    assertFalse(state.publish(version(4, "older")));
    assertEquals(5, state.latestVersion());
  }

  @Test
  void theFirstMessageMustBeAHello() throws Exception {
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel)) {
      node.ack(1, "x");
      Status status = node.endStatus();
      assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
      assertEquals("the first message must be a hello", status.getDescription());
    }
  }

  @Test
  void aHelloWithoutANodeIdIsRefused() throws Exception {
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("", 0)) {
      Status status = node.endStatus();
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
      assertEquals("hello.node_id is empty", status.getDescription());
    }
  }

  @Test
  void aNewStreamFromTheSameNodeReplacesTheOldOne() throws Exception {
    state.publish(version(1, "one"));
    try (FakeDiscoveryNode old = new FakeDiscoveryNode(channel).hello("n1", 1);
        FakeDiscoveryNode fresh = new FakeDiscoveryNode(channel).hello("n1", 1)) {
      assertEquals(Status.Code.ALREADY_EXISTS, old.endStatus().getCode());
      assertEquals(1, state.connectedNodes());

      state.publish(version(2, "two"));
      assertEquals(2, fresh.nextPush().getVersion());
      assertEquals(0, old.unread());
    }
  }

  @Test
  void closingAllStreamsTellsEveryNodeToFailOver() throws Exception {
    try (FakeDiscoveryNode a = new FakeDiscoveryNode(channel).hello("a", 0);
        FakeDiscoveryNode b = new FakeDiscoveryNode(channel).hello("b", 0)) {
      nextStatus();
      nextStatus();
      state.disconnectAll("replica shutting down");

      assertEquals(Status.Code.UNAVAILABLE, a.endStatus().getCode());
      assertEquals(Status.Code.UNAVAILABLE, b.endStatus().getCode());
      assertEquals(0, state.connectedNodes());
      assertNotNull(disconnects.poll(10, TimeUnit.SECONDS));
      assertNotNull(disconnects.poll(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aDrainRequestReachesTheNodeNowOrWhenItConnects() throws Exception {
    try (FakeDiscoveryNode early = new FakeDiscoveryNode(channel).hello("early", 0)) {
      nextStatus();
      state.drain("early");
      state.drain("late");

      assertEquals("an operator (wharfctl drain)", early.nextDrain().getRequestedBy());
      NodeStatus draining = nextStatus();
      assertEquals("early", draining.getNodeId());
      assertTrue(draining.getDraining(), "the status does not say the node is draining");
      try (FakeDiscoveryNode late = new FakeDiscoveryNode(channel).hello("late", 0)) {
        assertEquals("an operator (wharfctl drain)", late.nextDrain().getRequestedBy());
      }
    }
    assertNotNull(disconnects.poll(10, TimeUnit.SECONDS));
    assertNotNull(disconnects.poll(10, TimeUnit.SECONDS));
    // Gone and back: a node that reconnects after its drain starts afresh.
    state.publish(version(1, "one"));
    try (FakeDiscoveryNode back = new FakeDiscoveryNode(channel).hello("late", 0)) {
      assertEquals(1, back.nextPush().getVersion());
    }
  }

  @Test
  void aHealthReportReplacesTheNodesEndpointsInItsStatus() throws Exception {
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      nextStatus();
      node.send(
          NodeMessage.newBuilder()
              .setHealth(
                  HealthReport.newBuilder()
                      .addEndpoints(
                          EndpointHealthState.newBuilder()
                              .setUpstream("api")
                              .setAddress("10.0.0.1:80")
                              .setHealthy(false)))
              .build());

      NodeStatus status = nextStatus();
      assertEquals(1, status.getEndpointsCount());
      assertEquals("10.0.0.1:80", status.getEndpoints(0).getAddress());
      assertFalse(status.getEndpoints(0).getHealthy());

      node.send(NodeMessage.newBuilder().setHealth(HealthReport.getDefaultInstance()).build());
      assertEquals(0, nextStatus().getEndpointsCount(), "each report replaces the last");
    }
  }

  @Test
  void noncesAreUniquePerPush() throws Exception {
    state.publish(version(1, "one"));
    try (FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello("n1", 0)) {
      Snapshot first = node.nextPush();
      node.ack(first);
      state.publish(version(2, "two"));
      Snapshot second = node.nextPush();
      assertNotEquals(first.getNonce(), second.getNonce());
    }
  }

  private NodeStatus nextStatus() throws InterruptedException {
    NodeStatus s = statuses.poll(10, TimeUnit.SECONDS);
    assertNotNull(s, "no status change within 10s");
    return s;
  }

  private static VersionedConfig version(long v, String body) {
    return new VersionedConfig(v, config(body));
  }

  private static Config config(String body) {
    try {
      return ConfigDocuments.load(
          """
          listeners:
            - {name: web, address: 127.0.0.1, port: 8080}
          routes:
            - name: hello
              listeners: [web]
              match: {path: {prefix: /}}
              respond: {body: "%s"}
          """
              .formatted(body),
          "test.yaml");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String body(Snapshot s) {
    return s.getConfig().getRoutes(0).getRespond().getBody();
  }
}
