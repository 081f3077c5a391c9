package dev.wharf.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replica says when every node it pushed to has answered, after the last answer's status: what
 * lets the status writer put a rollout's last ACKs in the store without waiting for a batch. Over
 * in-process gRPC with scripted nodes; the callbacks' events land in one queue, in order.
 */
class PushesAnsweredTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T16:00:00Z"), ZoneOffset.UTC);

  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private DiscoveryState state;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    DiscoveryCallbacks callbacks =
        new DiscoveryCallbacks() {
          @Override
          public void statusChanged(NodeStatus s) {
            events.add("status " + s.getNodeId() + " acked " + s.getAckedVersion());
          }

          @Override
          public void disconnected(String nodeId) {
            events.add("disconnected " + nodeId);
          }

          @Override
          public void pushesAnswered() {
            events.add("all answered");
          }
        };
    AtomicLong nanos = new AtomicLong();
    state = new DiscoveryState("cp-a", new SimpleMeterRegistry(), callbacks, CLOCK, nanos::get);
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
  void theReplicaSaysAllAnsweredOnlyAfterTheLastPushedNodesAnswerAndItsStatus() throws Exception {
    try (FakeDiscoveryNode a = connected("a");
        FakeDiscoveryNode b = connected("b");
        FakeDiscoveryNode c = connected("c")) {
      state.publish(version(3));
      a.ack(a.nextPush());
      b.nack(b.nextPush(), "port 8080 is taken");
      c.ack(c.nextPush());

      assertEquals(
          List.of("status a acked 3", "status b acked 0", "status c acked 3", "all answered"),
          next(4));
    }
  }

  @Test
  void aNodeThatLeavesWithAPushInFlightDoesNotHoldBackTheLastWrite() throws Exception {
    try (FakeDiscoveryNode a = connected("a");
        FakeDiscoveryNode b = connected("b")) {
      state.publish(version(3));
      a.ack(a.nextPush());
      b.nextPush();
      assertEquals(List.of("status a acked 3"), next(1));

      b.close(); // gone before it answered

      assertEquals(List.of("disconnected b", "all answered"), next(2));
    }
  }

  @Test
  void aNodeAnsweringOneVersionAndPushedTheNextKeepsTheRolloutOpen() throws Exception {
    try (FakeDiscoveryNode a = connected("a");
        FakeDiscoveryNode b = connected("b")) {
      state.publish(version(3));
      b.ack(b.nextPush());
      var toA = a.nextPush();
      state.publish(version(4)); // a still owes 3: it gets 4 once it answers
      b.ack(b.nextPush());
      a.ack(toA);
      a.ack(a.nextPush());

      assertEquals(
          List.of(
              "status b acked 3",
              "status b acked 4",
              "status a acked 3",
              "status a acked 4",
              "all answered"),
          next(5));
    }
  }

  private FakeDiscoveryNode connected(String id) throws Exception {
    FakeDiscoveryNode node = new FakeDiscoveryNode(channel).hello(id, 0);
    assertEquals("status " + id + " acked 0", events.poll(10, TimeUnit.SECONDS));
    return node;
  }

  /** The next {@code n} events, then checks that no other came with them. */
  private List<String> next(int n) throws InterruptedException {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String e = events.poll(10, TimeUnit.SECONDS);
      assertNotNull(e, "only " + got + " after 10 s");
      got.add(e);
    }
    got.addAll(events);
    return got;
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
            "answered.yaml"),
        Instant.EPOCH);
  }
}
