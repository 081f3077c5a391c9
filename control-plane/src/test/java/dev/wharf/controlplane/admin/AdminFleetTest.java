package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminClients.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.EndpointHealth;
import dev.wharf.proto.admin.v1.GetEndpointHealthRequest;
import dev.wharf.proto.admin.v1.GetRolloutRequest;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.NodeRefusal;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet as the Admin API shows it: three raw discovery streams on a real replica over a real
 * etcd, one that ACKs the latest version, one that NACKs it, one that never answers.
 */
class AdminFleetTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String REASON = "listener web: cannot bind 0.0.0.0:8080";
  private static final String FIRST =
      """
      listeners: [{name: web, port: 8080}]
      upstreams:
        - {name: api, endpoints: [{address: "10.0.0.1:80"}, {address: "10.0.0.2:80"}]}
      routes:
        - {name: api, match: {path: {prefix: /}}, proxy: {upstream: api}}
      """;

  private AdminReplica replica;
  private AdminGrpc.AdminBlockingStub viewer;
  private long v1;
  private long v2;
  private FakeDiscoveryNode applies;
  private FakeDiscoveryNode refuses;
  private FakeDiscoveryNode silent;

  @BeforeEach
  void twoVersionsAndThreeNodes() throws Exception {
    replica = AdminReplica.start(etcd);
    viewer = replica.as(AdminReplica.VIEWER);
    v1 = apply(0, FIRST);
    v2 = apply(v1, FIRST.replace("port: 8080", "port: 8081"));
    // The replica learns of v2 through its store watch; nodes that connect before would get v1.
    Await.until(
        Duration.ofSeconds(10),
        () -> replica.server.discovery().latestVersion() == v2,
        () -> "the replica publishes " + replica.server.discovery().latestVersion());
    applies = new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-a");
    refuses = new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-b");
    silent = new FakeDiscoveryNode(replica.channel, AdminReplica.NODE, "edge-c");
    Snapshot a = applies.nextPush();
    assertEquals(v2, a.getVersion(), "the latest version is pushed");
    applies.ack(a);
    refuses.nack(refuses.nextPush(), REASON);
    silent.nextPush();
  }

  @AfterEach
  void stop() throws Exception {
    applies.close();
    refuses.close();
    silent.close();
    replica.close();
  }

  @Test
  void theLatestRolloutShowsWhichNodeAppliedWhichRefusedAndWhyAndWhichArePending() {
    RolloutStatus latest = awaitRollout(0, r -> r.getApplied() == 1 && r.getRefusedCount() == 1);

    assertEquals(v2, latest.getVersion());
    assertEquals(3, latest.getNodes());
    assertEquals(1, latest.getApplied());
    assertEquals(
        List.of(NodeRefusal.newBuilder().setNodeId("edge-b").setReason(REASON).build()),
        latest.getRefusedList());
    assertEquals(List.of("edge-c"), latest.getPendingList());

    RolloutStatus older = viewer.getRollout(GetRolloutRequest.newBuilder().setVersion(v1).build());
    assertEquals(1, older.getApplied(), "a node running a newer version applied this one too");
    assertEquals(List.of(), older.getRefusedList(), "edge-b refused another version");
    assertEquals(List.of("edge-b", "edge-c"), older.getPendingList());

    failure(
        Code.NOT_FOUND,
        () -> viewer.getRollout(GetRolloutRequest.newBuilder().setVersion(v2 + 1000).build()));
  }

  @Test
  void listNodesShowsEachNodeWithHowManyVersionsItIsBehind() {
    awaitRollout(0, r -> r.getApplied() == 1 && r.getRefusedCount() == 1);

    ListNodesResponse nodes = viewer.listNodes(ListNodesRequest.getDefaultInstance());

    assertEquals(v2, nodes.getLatestVersion());
    assertEquals(
        List.of("edge-a 0", "edge-b 2", "edge-c 2"),
        nodes.getNodesList().stream()
            .map(n -> n.getStatus().getNodeId() + " " + n.getVersionsBehind())
            .toList());
    NodeView b = nodes.getNodes(1);
    assertEquals(AdminReplica.REPLICA_ID, b.getStatus().getReplica());
    assertEquals("test", b.getStatus().getLabelsOrThrow("zone"));
    assertEquals(v2, b.getStatus().getLastNackVersion());
    assertEquals(REASON, b.getStatus().getLastNackReason());
  }

  private List<String> endpointHealth() {
    List<EndpointHealth> endpoints =
        viewer
            .getEndpointHealth(GetEndpointHealthRequest.newBuilder().setUpstream("api").build())
            .getEndpointsList();
    return endpoints.stream()
        .map(
            e ->
                e.getAddress()
                    + " "
                    + e.getHealthyNodes()
                    + "/"
                    + e.getUnhealthyNodes()
                    + "/"
                    + e.getUnknownNodes())
        .toList();
  }

  @Test
  void endpointHealthCountsWhatEachNodeReported() {
    awaitRollout(0, r -> r.getNodes() == 3);
    assertEquals(
        List.of("10.0.0.1:80 0/0/3", "10.0.0.2:80 0/0/3"),
        endpointHealth(),
        "no node has reported yet");

    applies.health("api", "10.0.0.1:80", true, "api", "10.0.0.2:80", false);
    refuses.health("api", "10.0.0.1:80", true, "api", "10.0.0.2:80", true);

    Await.until(
        Duration.ofSeconds(10),
        () -> endpointHealth().equals(List.of("10.0.0.1:80 2/0/1", "10.0.0.2:80 1/1/1")),
        () -> endpointHealth().toString());
    failure(
        Code.NOT_FOUND,
        () ->
            viewer.getEndpointHealth(
                GetEndpointHealthRequest.newBuilder().setUpstream("nope").build()));
  }

  @Test
  void drainingANodeNoReplicaKnowsIsNotFoundAndViewersMayNotDrain() {
    awaitRollout(0, r -> r.getNodes() == 3);

    failure(
        Code.NOT_FOUND,
        () -> replica.admin().drainNode(DrainNodeRequest.newBuilder().setNodeId("edge-z").build()));
    failure(
        Code.PERMISSION_DENIED,
        () -> viewer.drainNode(DrainNodeRequest.newBuilder().setNodeId("edge-a").build()));
  }

  @Test
  void drainingANodeAnswersWithTheReplicaItIsConnectedTo() {
    awaitRollout(0, r -> r.getNodes() == 3);

    assertEquals(
        AdminReplica.REPLICA_ID,
        replica
            .admin()
            .drainNode(DrainNodeRequest.newBuilder().setNodeId("edge-a").build())
            .getReplica());
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

  /** Polls the rollout until {@code done} holds: node statuses reach the store asynchronously. */
  private RolloutStatus awaitRollout(
      long version, java.util.function.Predicate<RolloutStatus> done) {
    AtomicReference<RolloutStatus> last = new AtomicReference<>();
    Await.until(
        BOUND,
        () -> {
          last.set(viewer.getRollout(GetRolloutRequest.newBuilder().setVersion(version).build()));
          return done.test(last.get());
        },
        () -> "last rollout: " + last.get());
    return last.get();
  }
}
