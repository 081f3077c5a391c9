package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminClients.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.GetRolloutRequest;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.RetryRolloutRequest;
import dev.wharf.proto.admin.v1.RetryRolloutResponse;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20, defects 1 and 2, on a real replica over a real etcd with raw discovery streams: a node
 * whose stream ended is still counted (a rollout waits for it), a version a node refused is never
 * pushed to it again, even by a replica it never refused it on, and RetryRollout pushes it once
 * more.
 */
class FleetMemoryTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String CONFIG =
      """
      listeners: [{name: web, port: 8080}]
      upstreams: [{name: api, endpoints: [{address: "10.0.0.1:80"}]}]
      routes: [{name: api, match: {path: {prefix: /}}, proxy: {upstream: api}}]
      """;

  private AdminReplica replica;
  private AdminGrpc.AdminBlockingStub viewer;
  private long v1;
  private long v2;

  @BeforeEach
  void twoVersions() throws Exception {
    replica = AdminReplica.start(etcd);
    viewer = replica.as(AdminReplica.VIEWER);
    v1 = apply(0, CONFIG);
    v2 = apply(v1, CONFIG.replace("port: 8080", "port: 8081"));
    Await.until(
        Duration.ofSeconds(10),
        () -> replica.server.discovery().latestVersion() == v2,
        () -> "the replica publishes " + replica.server.discovery().latestVersion());
  }

  @AfterEach
  void stop() throws Exception {
    replica.close();
  }

  @Test
  void aNodeWhoseStreamEndedStaysListedAsDisconnectedAndTheRolloutWaitsForIt() throws Exception {
    try (FakeDiscoveryNode applies =
        new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-a")) {
      FakeDiscoveryNode gone = new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-b");
      applies.ack(applies.nextPush());
      Snapshot first = gone.nextPush();
      awaitRollout(r -> r.getApplied() == 1 && r.getNodes() == 2);

      gone.close(); // its stream ends before it answers

      // Between its status going and its record saying so, it may show unknown for a moment.
      NodeStatus b =
          awaitNode(
              "edge-b", n -> n.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED);
      assertTrue(b.hasDisconnectedSince(), "it says since when");
      assertEquals(0, b.getAckedVersion(), "the last version it reported: none");
      RolloutStatus rollout = awaitRollout(r -> r.getNodes() == 2);
      assertEquals(1, rollout.getApplied());
      assertEquals(List.of("edge-b"), rollout.getPendingList(), "still counted: " + first);
      NodeStatus a = awaitNode("edge-a", n -> true);
      assertEquals(NodeConnection.NODE_CONNECTION_CONNECTED, a.getConnection());
    }
  }

  @Test
  void aVersionTheHelloSaysWasRefusedIsNeverPushedTheNextNewerOneIs() throws Exception {
    Hello hello =
        Hello.newBuilder()
            .setNodeId("edge-r")
            .setVersion(v1)
            .addRefusedVersions(v2) // refused on another replica, before this one knew the node
            .build();
    try (FakeDiscoveryNode node =
        new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, hello)) {
      NodeStatus status = awaitNode("edge-r", n -> n.getRefusedVersionsList().contains(v2));
      assertEquals(v2, status.getLastNackVersion());
      long v3 = apply(v2, CONFIG.replace("port: 8080", "port: 8082"));

      Snapshot push = node.nextPush();

      assertEquals(v3, push.getVersion(), "the first push is v3: v2 was never pushed");
    }
  }

  @Test
  void retryRolloutPushesTheRefusedVersionOnceMore() throws Exception {
    try (FakeDiscoveryNode node =
        new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-n")) {
      Snapshot refused = node.nextPush();
      assertEquals(v2, refused.getVersion());
      node.nack(refused, "listener web: cannot bind 0.0.0.0:8081");
      awaitRollout(r -> r.getRefusedCount() == 1);

      RetryRolloutResponse retry =
          replica.admin().retryRollout(RetryRolloutRequest.getDefaultInstance());

      assertEquals(v2, retry.getVersion());
      assertEquals(List.of("edge-n"), retry.getNodeIdsList());
      Snapshot again = node.nextPush();
      assertEquals(v2, again.getVersion(), "pushed once more");
      node.nack(again, "still in use");
      long v3 = apply(v2, CONFIG.replace("port: 8080", "port: 8082"));
      assertEquals(v3, node.nextPush().getVersion(), "refused again: not pushed a third time");
    }
  }

  @Test
  void retryRolloutRefusesAnOlderVersionANodeThatDidNotRefuseAndViewers() throws Exception {
    try (FakeDiscoveryNode node =
        new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-n")) {
      node.nack(node.nextPush(), "no");
      awaitRollout(r -> r.getRefusedCount() == 1);

      failure(
          Code.INVALID_ARGUMENT,
          () ->
              replica
                  .admin()
                  .retryRollout(RetryRolloutRequest.newBuilder().setVersion(v1).build()));
      failure(
          Code.NOT_FOUND,
          () ->
              replica
                  .admin()
                  .retryRollout(RetryRolloutRequest.newBuilder().addNodeIds("edge-z").build()));
      failure(
          Code.PERMISSION_DENIED,
          () -> viewer.retryRollout(RetryRolloutRequest.getDefaultInstance()));
    }
  }

  private long apply(long expected, String yaml) {
    return replica
        .admin()
        .apply(
            ApplyRequest.newBuilder()
                .setExpectedVersion(expected)
                .setConfig(AdminClients.config(yaml))
                .build())
        .getVersion();
  }

  private NodeStatus awaitNode(String nodeId, Predicate<NodeStatus> done) {
    AtomicReference<Optional<NodeStatus>> last = new AtomicReference<>(Optional.empty());
    Await.until(
        BOUND,
        () -> {
          last.set(
              viewer.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                  .map(v -> v.getStatus())
                  .filter(s -> s.getNodeId().equals(nodeId))
                  .findFirst());
          return last.get().filter(done).isPresent();
        },
        () -> nodeId + ": " + last.get());
    return last.get().orElseThrow();
  }

  private RolloutStatus awaitRollout(Predicate<RolloutStatus> done) {
    AtomicReference<RolloutStatus> last = new AtomicReference<>();
    Await.until(
        BOUND,
        () -> {
          last.set(viewer.getRollout(GetRolloutRequest.getDefaultInstance()));
          return done.test(last.get());
        },
        () -> "last rollout: " + last.get());
    return last.get();
  }
}
