package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nodes, rollout, health, drain and history against the control plane's real Admin service, at
 * version 42 of the demo config, with a fleet of node statuses as replicas record them in the
 * store. rollout --wait and drain --wait on a clock that advances when they sleep; what the fleet
 * does meanwhile is put in the store during those sleeps.
 */
class FleetCommandsTest {
  private static final String SERVER = "cp-1:9700";

  @TempDir Path home;
  private Cli cli;
  private RealAdmin admin;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    admin = cli.serveReal(SERVER);
    assertEquals(42, admin.commitAfter(41, Configs.demo()));
    cli.env.put("WHARF_SERVER", SERVER);
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void nodesAreATableWithWhatEachRunsAndWhatItLastRefused() {
    fleet(
        node("node-1", "cp-1", 42, 0, 0, ""),
        draining(
            node("node-2", "cp-2", 41, 1, 42, "listeners[0].port: 8080 is in use\nsecond line"),
            null));

    Result r = cli.run("nodes");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        NODE     REPLICA   VERSION   BEHIND   LAST NACK                                   \
        CONNECTED SINCE        STATE
        node-1   cp-1      42        0        -                                           \
        2025-03-01T09:00:00Z   running
        node-2   cp-2      41        1        42: listeners[0].port: 8080 is in use ...   \
        2025-03-01T09:00:00Z   draining
        """,
        r.out());
  }

  @Test
  void rolloutSaysHowManyAppliedWhoRefusedWhyAndWhoIsPending() {
    for (int i = 1; i <= 100; i++) {
      admin.node(applied("node-" + i, 42));
    }
    admin.node(applied("node-3", 41));
    admin.node(refused("node-7", "port 80 is in use"));
    admin.node(refused("node-9", "2 errors\nroutes[0]: x\nroutes[1]: y"));

    Result r = cli.run("rollout");

    assertEquals(4, r.exitCode(), r.toString());
    assertEquals(
        """
        version 42: applied on 97/100 nodes, refused by 2:
          node-7: port 80 is in use
          node-9: 2 errors
            routes[0]: x
            routes[1]: y
        pending (1): node-3
        """,
        r.out());
    assertEquals("error: version 42 was refused by 2 nodes\n", r.err());
  }

  @Test
  void rolloutWithoutWaitIsExitZeroWhileNodesArePending() {
    fleet(applied("node-1", 42), applied("node-2", 41), applied("node-3", 40));

    Result r = cli.run("rollout", "42");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("version 42: applied on 1/3 nodes\npending (2): node-2, node-3\n", r.out());
  }

  @Test
  void rolloutWaitPollsUntilEveryNodeAppliedAndExitsZero() {
    fleet(applied("node-1", 42), applied("node-2", 41), applied("node-3", 41));
    cli.time.meanwhile(
        () -> admin.node(applied("node-2", 42)), () -> admin.node(applied("node-3", 42)));

    Result r = cli.run("rollout", "--wait", "--interval", "2s");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        node-2: applied version 42
        node-3: applied version 42
        version 42: applied on 3/3 nodes
        """,
        r.out());
    assertEquals(3, rolloutPolls());
    assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2)), cli.time.sleeps());
  }

  @Test
  void rolloutWaitStopsAtTheFirstRefusalWithItsReasonAndExitsFour() {
    fleet(applied("node-1", 42), applied("node-2", 41), applied("node-3", 41));
    cli.time.meanwhile(
        () ->
            admin
                .node(applied("node-2", 42))
                .node(refused("node-3", "listeners[0].port: 80 is in use")));

    Result r = cli.run("rollout", "--wait");

    assertEquals(4, r.exitCode(), r.toString());
    assertEquals(
        """
        node-2: applied version 42
        node-3: refused version 42: listeners[0].port: 80 is in use
        version 42: applied on 2/3 nodes, refused by 1:
          node-3: listeners[0].port: 80 is in use
        """,
        r.out());
    assertEquals("error: version 42 was refused by 1 node\n", r.err());
  }

  @Test
  void rolloutWaitGivesUpAtTheTimeoutNamingThePendingNodesAndExitsFour() {
    fleet(applied("node-1", 42), applied("node-2", 42), applied("node-3", 41));

    Result r = cli.run("rollout", "--wait", "--timeout", "5s", "--interval", "2s");

    assertEquals(4, r.exitCode(), r.toString());
    assertEquals("version 42: applied on 2/3 nodes\npending (1): node-3\n", r.out());
    assertEquals(
        "error: version 42 is not applied on every node after 5s; still pending on 1: "
            + "node-3\n",
        r.err());
    // Polls at 0s, 2s, 4s and 5s (the last sleep is cut to the time left), then stops.
    assertEquals(
        List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1)),
        cli.time.sleeps());
    assertEquals(4, rolloutPolls());
  }

  @Test
  void rolloutWaitWithTheDefaultTimeoutPollsABoundedNumberOfTimes() {
    fleet(applied("node-1", 42), applied("node-2", 41));

    Result r = cli.run("rollout", "--wait");

    assertEquals(4, r.exitCode(), r.toString());
    assertTrue(r.err().contains("after 30s"), r.err());
    assertEquals(31, rolloutPolls()); // every second for 30s, and once at the start
  }

  @Test
  void healthIsATableOfHowTheNodesSeeEachEndpoint() {
    appEndpoints("127.0.0.1:9000", "127.0.0.1:9001");
    fleet(
        seeing(applied("node-1", 42), "127.0.0.1:9000", true, "127.0.0.1:9001", true),
        seeing(applied("node-2", 42), "127.0.0.1:9000", true, "127.0.0.1:9001", false),
        seeing(applied("node-3", 42), "127.0.0.1:9000", true, "127.0.0.1:9001", false));

    Result r = cli.run("health", "app");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        ADDRESS          HEALTHY   UNHEALTHY   UNKNOWN
        127.0.0.1:9000   3         0           0
        127.0.0.1:9001   1         2           0
        """,
        r.out());
  }

  @Test
  void healthOfAnUpstreamThatIsNotThereIsExitOne() {
    Result r = cli.run("health", "nope");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no upstream is named 'nope'\n", r.err());
  }

  @Test
  void drainSaysWhichReplicaPassedTheRequestOn() {
    fleet(node("node-2", "cp-2", 42, 0, 0, ""));

    Result r = cli.run("drain", "node-2");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("drain requested: node-2 (through replica cp-2)\n", r.out());
    Await.until(
        Duration.ofSeconds(30),
        () -> admin.drainRequests().equals(List.of("node-2")),
        () -> "drain requests in the store: " + admin.drainRequests());
  }

  @Test
  void drainWaitFollowsTheNodeUntilItIsGone() {
    NodeView up = node("node-2", "cp-2", 42, 0, 0, "");
    fleet(node("node-1", "cp-1", 42, 0, 0, ""), up);
    cli.time.meanwhile(
        () -> admin.node(draining(up, null).getStatus()), () -> {}, () -> admin.nodeGone("node-2"));

    Result r = cli.run("drain", "node-2", "--wait", "--interval", "2s");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        drain requested: node-2 (through replica cp-2)
        node-2: draining
        node-2: gone (drained)
        """,
        r.out());
    assertEquals(
        List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)),
        cli.time.sleeps());
  }

  @Test
  void drainWaitPrintsTheConnectionsLeftEachTimeTheyChange() {
    NodeView up = node("node-2", "cp-2", 42, 0, 0, "");
    fleet(up);
    cli.time.meanwhile(
        reports(draining(up, null)),
        reports(draining(up, progress(500, 0, 20))),
        reports(draining(up, progress(412, 88, 12))),
        reports(draining(up, progress(412, 88, 12))),
        reports(draining(up, progress(1, 499, 1))),
        reports(draining(up, progress(0, 500, 0))),
        () -> admin.nodeGone("node-2"));

    Result r = cli.run("drain", "node-2", "--wait", "--interval", "1s");

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        drain requested: node-2 (through replica cp-2)
        node-2: draining
        node-2: draining, 500 connections left, 20 of them WebSockets (0 closed)
        node-2: draining, 412 connections left, 12 of them WebSockets (88 closed)
        node-2: draining, 1 connection left, 1 of them a WebSocket (499 closed)
        node-2: draining, 0 connections left (500 closed)
        node-2: gone (drained)
        """,
        r.out());
  }

  @Test
  void nodesShowsTheConnectionsADrainingNodeHasLeft() {
    NodeView up = node("node-2", "cp-2", 42, 0, 0, "");
    fleet(
        draining(node("node-1", "cp-1", 42, 0, 0, ""), null), draining(up, progress(412, 88, 12)));

    Result r = cli.run("nodes");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("node-1") && l.endsWith(" draining")));
    assertTrue(
        r.out().lines().anyMatch(l -> l.startsWith("node-2") && l.endsWith(" draining (412 left)")),
        r.out());
  }

  private static NodeView draining(NodeView n, DrainProgress progress) {
    NodeStatus.Builder s = n.getStatus().toBuilder().setDraining(true);
    if (progress != null) {
      s.setDrainProgress(progress);
    }
    return n.toBuilder().setStatus(s).build();
  }

  private static DrainProgress progress(int open, int closed, int websockets) {
    return DrainProgress.newBuilder()
        .setConnectionsOpen(open)
        .setConnectionsClosed(closed)
        .setWebsocketsOpen(websockets)
        .setDeadline(Timestamp.newBuilder().setSeconds(1740819900))
        .build();
  }

  @Test
  void drainWaitGivesUpAtTheTimeoutWithExitFour() {
    fleet(node("node-2", "cp-2", 42, 0, 0, ""));

    Result r = cli.run("drain", "node-2", "--wait", "--timeout", "3s", "--interval", "2s");

    assertEquals(4, r.exitCode(), r.toString());
    assertEquals("error: node-2 is still connected after 3s of draining\n", r.err());
    assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(1)), cli.time.sleeps());
  }

  @Test
  void drainingANodeNoReplicaKnowsIsExitOne() {
    Result r = cli.run("drain", "node-9");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: no replica knows a node 'node-9'\n", r.err());
  }

  @Test
  void nodesAsJsonOrYamlHaveEveryFieldTheTableSummarises() {
    NodeView draining =
        node("node-2", "cp-2", 41, 1, 42, "listeners[0].port: 8080 is in use\nsecond line");
    draining =
        draining.toBuilder()
            .setStatus(
                draining.getStatus().toBuilder()
                    .setDraining(true)
                    .setDrainProgress(
                        DrainProgress.newBuilder()
                            .setConnectionsOpen(412)
                            .setConnectionsClosed(88)
                            .setWebsocketsOpen(12)
                            .setDeadline(
                                com.google.protobuf.Timestamp.newBuilder().setSeconds(1740819900))))
            .build();
    fleet(node("node-1", "cp-1", 42, 0, 0, ""), draining);

    Result json = cli.run("nodes", "-o", "json");
    Result yaml = cli.run("nodes", "-o", "yaml");

    assertEquals(0, json.exitCode(), json.toString());
    assertEquals(
        """
        {
          "latest_version": 42,
          "nodes": [
            {
              "node_id": "node-1",
              "replica": "cp-1",
              "connected_since": "2025-03-01T09:00:00Z",
              "acked_version": 42,
              "versions_behind": 0,
              "state": "running"
            },
            {
              "node_id": "node-2",
              "replica": "cp-2",
              "connected_since": "2025-03-01T09:00:00Z",
              "acked_version": 41,
              "versions_behind": 1,
              "last_nack_version": 42,
              "last_nack_reason": "listeners[0].port: 8080 is in use\\nsecond line",
              "state": "draining",
              "drain_progress": {
                "connections_open": 412,
                "connections_closed": 88,
                "websockets_open": 12,
                "deadline": "2025-03-01T09:05:00Z"
              }
            }
          ]
        }
        """,
        json.out());
    assertEquals(0, yaml.exitCode(), yaml.toString());
    assertTrue(
        yaml.out().startsWith("latest_version: 42\nnodes:\n  - node_id: node-1\n"), yaml.out());
  }

  @Test
  void healthAndHistoryAsYamlOrJson() {
    appEndpoints("10.0.0.5:9000");
    fleet(
        seeing(applied("node-1", 42), "10.0.0.5:9000", true),
        seeing(applied("node-2", 42), "10.0.0.5:9000", true),
        seeing(applied("node-3", 42), "10.0.0.5:9000", true),
        applied("node-4", 42)); // no health check report: unknown

    Result health = cli.run("health", "app", "-o", "yaml");
    Result history = cli.run("history", "-o", "json");

    assertEquals(0, health.exitCode(), health.toString());
    assertEquals(
        """
        upstream: app
        endpoints:
          - address: 10.0.0.5:9000
            healthy_nodes: 3
            unhealthy_nodes: 0
            unknown_nodes: 1
        """,
        health.out());
    assertEquals(0, history.exitCode(), history.toString());
    assertTrue(history.out().startsWith("{\n  \"entries\": ["), history.out());
  }

  @Test
  void nodesRefuseTheFormatsOnlyGetHas() {
    Result r = cli.run("nodes", "-o", "name");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: nodes prints a table, yaml or json, not name\n", r.err());
  }

  private static NodeView node(
      String id, String replica, long acked, int behind, long nacked, String reason) {
    return NodeView.newBuilder()
        .setVersionsBehind(behind)
        .setStatus(
            NodeStatus.newBuilder()
                .setNodeId(id)
                .setReplica(replica)
                .setAckedVersion(acked)
                .setLastNackVersion(nacked)
                .setLastNackReason(reason)
                .setConnectedSince(Timestamp.newBuilder().setSeconds(1740819600)))
        .build();
  }

  /** Records each node's status, as the replicas they are connected to would. */
  private void fleet(NodeView... nodes) {
    for (NodeView n : nodes) {
      admin.node(n.getStatus());
    }
  }

  private void fleet(NodeStatus... nodes) {
    for (NodeStatus n : nodes) {
      admin.node(n);
    }
  }

  /** The node reports this status (its next report to its replica). */
  private Runnable reports(NodeView n) {
    return () -> admin.node(n.getStatus());
  }

  /** A node of replica cp-1 that runs {@code version}. */
  private static NodeStatus applied(String id, long version) {
    return node(id, "cp-1", version, 0, 0, "").getStatus();
  }

  /** A node of replica cp-1 that runs version 41 and refused 42 for {@code reason}. */
  private static NodeStatus refused(String id, String reason) {
    return node(id, "cp-1", 41, 0, 42, reason).getStatus();
  }

  /** {@code status} with what its health checks last found: address, healthy, address, ... */
  private static NodeStatus seeing(NodeStatus status, Object... addressHealthy) {
    NodeStatus.Builder b = status.toBuilder();
    for (int i = 0; i < addressHealthy.length; i += 2) {
      b.addEndpoints(
          EndpointHealthState.newBuilder()
              .setUpstream("app")
              .setAddress((String) addressHealthy[i])
              .setHealthy((Boolean) addressHealthy[i + 1]));
    }
    return b.build();
  }

  /** Commits the demo config with upstream app's endpoints at these addresses. */
  private void appEndpoints(String... addresses) {
    Config demo = Configs.demo();
    Config.Builder next = demo.toBuilder();
    for (int i = 0; i < demo.getUpstreamsCount(); i++) {
      if (demo.getUpstreams(i).getName().equals("app")) {
        Upstream.Builder app = demo.getUpstreams(i).toBuilder().clearEndpoints();
        for (String a : addresses) {
          app.addEndpoints(Endpoint.newBuilder().setAddress(a));
        }
        next.setUpstreams(i, app);
      }
    }
    admin.commit(next.build());
  }

  private int rolloutPolls() {
    return (int) cli.calls(SERVER).stream().filter(m -> m.equals("GetRollout")).count();
  }
}
