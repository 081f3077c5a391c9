package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.RefusingPorts;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node fed by a scripted control plane over in-process gRPC: what it says, what it serves
 * over HTTP after each push, what it answers and what it keeps on disk.
 */
@ExtendWith(NettyLeakExtension.class)
class DiscoveryClientTest {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir Path stateDir;
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final int port = ServingNode.CONFIGURED_PORT; // the node binds a fresh one

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

  private FakeControlPlane controlPlane() throws Exception {
    return track(FakeControlPlane.inProcess("cp-" + UUID.randomUUID()));
  }

  private ServingNode node() {
    return track(new ServingNode());
  }

  private DiscoveryClient.Builder client(ServingNode node, String... targets) {
    return DiscoveryClient.builder()
        .nodeId("node-a")
        .label("zone", "eu-1")
        .label("tier", "edge")
        .targets(List.of(targets))
        .channelFactory(t -> InProcessChannelBuilder.forName(t).build())
        .sink(node.sink)
        .snapshotFile(SnapshotFile.in(stateDir))
        .backoff(
            Backoff.exponential(
                Duration.ofMillis(5), Duration.ofMillis(50), new SplittableRandom(7)))
        .meterRegistry(registry)
        .controlPlaneTimeout(Duration.ZERO); // FakeControlPlane sends no heartbeats
  }

  private DiscoveryClient started(DiscoveryClient.Builder builder) throws Exception {
    DiscoveryClient c = track(builder.build());
    c.start();
    return c;
  }

  private long savedVersion() throws Exception {
    return SnapshotFile.in(stateDir).read().map(Snapshot::getVersion).orElse(0L);
  }

  private double snapshots(String result) {
    return registry.get("wharf.discovery.snapshots").tag("result", result).counter().count();
  }

  @Test
  void helloCarriesTheNodeIdLabelsAndVersionZeroOnAFreshStateDir() throws Exception {
    FakeControlPlane cp = controlPlane();
    started(client(node(), cp.target));

    Hello hello = cp.nextHello();

    assertEquals("node-a", hello.getNodeId());
    assertEquals(Map.of("zone", "eu-1", "tier", "edge"), hello.getLabelsMap());
    assertEquals(0, hello.getVersion());
    assertEquals("", cp.nextAuthorization(), "no token was configured");
  }

  @Test
  void aDrainRequestFromTheControlPlaneIsPassedToTheProcess() throws Exception {
    FakeControlPlane cp = controlPlane();
    BlockingQueue<String> drains = new LinkedBlockingQueue<>();
    started(
        client(node(), cp.target)
            .events(
                new DiscoveryEvents() {
                  @Override
                  public void drainRequested(String requestedBy) {
                    drains.add(requestedBy);
                  }
                }));
    cp.nextHello();

    cp.drain("admin alice");

    assertEquals("admin alice", drains.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void theNodeReportsEndpointHealthWhenItChanges() throws Exception {
    FakeControlPlane cp = controlPlane();
    started(client(node(), cp.target).healthReportInterval(Duration.ofMillis(20)));
    cp.nextHello();
    int closed = refusing.port(); // refused while the test runs: the TCP check fails
    cp.push(
        1,
        "n1",
        ServingNode.load(
            """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:%d"}]
            health_check: {interval: 50ms, timeout: 40ms, unhealthy_threshold: 1, tcp: {}}
        routes:
          - {name: all, match: {path: {prefix: /}}, proxy: {upstream: api}}
        """
                .formatted(port, closed)));
    cp.nextAck();

    // Endpoints start healthy; a report may say so before the first check has failed.
    HealthReport report = cp.nextHealth();
    if (describe(report).equals("api 127.0.0.1:" + closed + " true")) {
      report = cp.nextHealth();
    }
    assertEquals("api 127.0.0.1:" + closed + " false", describe(report));
  }

  @Test
  void aDrainingNodeReportsItsProgressAndAppliesNoSnapshotAnyMore() throws Exception {
    FakeControlPlane cp = controlPlane();
    ServingNode node = node();
    BlockingQueue<String> drains = new LinkedBlockingQueue<>();
    started(
        client(node, cp.target)
            .healthReportInterval(Duration.ofMillis(20))
            .events(
                new DiscoveryEvents() {
                  @Override
                  public void drainRequested(String requestedBy) {
                    drains.add(requestedBy);
                  }
                }));
    cp.nextHello();
    cp.push(1, "n1", ServingNode.respond(port, "version one"));
    cp.nextAck();

    NodeDrain.run(
        node.node, new NodeDrain.Settings(Duration.ZERO, Duration.ofMinutes(1)), System::nanoTime);
    DrainProgress progress = cp.nextDrainProgress();

    assertEquals(0, progress.getConnectionsOpen(), progress.toString());
    assertEquals(0, progress.getWebsocketsOpen(), progress.toString());
    assertTrue(progress.hasDeadline(), progress.toString());

    cp.push(2, "n2", ServingNode.respond(port, "version two"));
    cp.drain("an operator"); // handled after the snapshot, on the same thread
    assertEquals("an operator", drains.poll(10, TimeUnit.SECONDS));
    assertEquals(1, node.node.snapshot().version(), "a draining node applies nothing");
    assertEquals(List.of(), cp.unread(), "a draining node answers no snapshot");
  }

  private static String describe(HealthReport r) {
    return r.getEndpointsList().stream()
        .map(e -> e.getUpstream() + " " + e.getAddress() + " " + e.getHealthy())
        .collect(Collectors.joining(", "));
  }

  @Test
  void aPushIsServedOverHttpThenAcknowledgedAndSaved() throws Exception {
    FakeControlPlane cp = controlPlane();
    ServingNode node = node();
    started(client(node, cp.target));
    cp.nextHello();

    cp.push(7, "nonce-7", ServingNode.respond(port, "version seven"));
    Ack ack = cp.nextAck();

    assertEquals(7, ack.getVersion());
    assertEquals("nonce-7", ack.getNonce());
    assertEquals("version seven", node.get(), "the ACK comes after the swap");
    assertEquals(7, savedVersion(), "the ACK comes after the file is written");

    cp.push(8, "nonce-8", ServingNode.respond(port, "version eight"));

    assertEquals(Ack.newBuilder().setVersion(8).setNonce("nonce-8").build(), cp.nextAck());
    assertEquals("version eight", node.get());
    assertEquals(8, savedVersion());
    assertEquals(2, snapshots("applied"));
  }

  @Test
  void aConfigNamingAMissingUpstreamIsNackedWithTheFieldAndTheOldConfigServes() throws Exception {
    FakeControlPlane cp = controlPlane();
    ServingNode node = node();
    started(client(node, cp.target));
    cp.nextHello();
    cp.push(1, "n1", ServingNode.respond(port, "version one"));
    cp.nextAck();

    cp.push(2, "n2", ServingNode.missingUpstream(port));
    Nack nack = cp.nextNack();

    assertEquals(2, nack.getVersion());
    assertEquals("n2", nack.getNonce());
    assertTrue(
        nack.getReason().startsWith("route all: routes[0].proxy.upstream: "), nack.getReason());
    assertTrue(nack.getReason().contains("nowhere"), nack.getReason());
    assertEquals("version one", node.get());
    assertEquals(1, savedVersion());
    assertEquals(1, snapshots("refused"));

    cp.push(3, "n3", ServingNode.respond(port, "version three"));

    assertEquals(3, cp.nextAck().getVersion(), "a refusal does not stop the next push");
    assertEquals("version three", node.get());
  }

  @Test
  void aListenerThatCannotBindIsNackedAndTheOldConfigServes() throws Exception {
    FakeControlPlane cp = controlPlane();
    ServingNode node = node();
    started(client(node, cp.target));
    cp.nextHello();
    cp.push(1, "n1", ServingNode.respond(port, "version one"));
    cp.nextAck();

    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int busy = taken.getLocalPort();
      cp.push(
          2,
          "n2",
          ServingNode.load(
              """
          listeners:
            - {name: web, address: 127.0.0.1, port: %d}
            - {name: extra, address: 127.0.0.1, port: %d}
          routes:
            - {name: all, match: {path: {prefix: /}}, respond: {body: version two}}
          """
                  .formatted(port, busy)));
      Nack nack = cp.nextNack();

      assertEquals(2, nack.getVersion());
      assertEquals("n2", nack.getNonce());
      assertTrue(
          nack.getReason().startsWith("listener extra: cannot bind 127.0.0.1:" + busy + ": "),
          nack.getReason());
      assertEquals("version one", node.get());
      assertEquals(1, savedVersion());
    }
  }

  @Test
  void whenTheControlPlaneDiesTheNodeFailsOverToTheNextAndSaysWhatItRuns() throws Exception {
    FakeControlPlane first = controlPlane();
    FakeControlPlane second = controlPlane();
    ServingNode node = node();
    DiscoveryClient client = started(client(node, first.target, second.target));
    first.nextHello();
    first.push(4, "n4", ServingNode.respond(port, "version four"));
    first.nextAck();
    Await.until(BOUND, client::connected, () -> "never connected");

    first.close();
    Hello hello = second.nextHello();

    assertEquals("node-a", hello.getNodeId());
    assertEquals(4, hello.getVersion());
    assertEquals("version four", node.get(), "losing the control plane changes nothing served");
    assertEquals(1, registry.get("wharf.discovery.reconnects").counter().count());
    Await.until(BOUND, client::connected, () -> "not connected to the second");
    assertEquals(1, registry.get("wharf.discovery.connected").gauge().value());

    second.push(5, "n5", ServingNode.respond(port, "version five"));

    assertEquals(5, second.nextAck().getVersion());
    assertEquals("version five", node.get());
  }

  @Test
  void withEveryControlPlaneDownTheClientKeepsGoingRoundTheList() throws Exception {
    ServingNode node = node();
    DiscoveryClient client = started(client(node, "nobody-1", "nobody-2"));

    Await.until(
        BOUND,
        () -> registry.get("wharf.discovery.reconnects").counter().count() >= 3,
        () -> "reconnects: " + registry.get("wharf.discovery.reconnects").counter().count());

    assertEquals(false, client.connected());
    assertEquals(0, registry.get("wharf.discovery.connected").gauge().value());
  }

  @Test
  void aRestartedNodeServesItsSavedVersionAtOnceAndSaysHelloWithIt() throws Exception {
    FakeControlPlane cp = controlPlane();
    try (ServingNode before = new ServingNode();
        DiscoveryClient client = client(before, cp.target).build()) {
      client.start();
      cp.nextHello();
      cp.push(7, "n7", ServingNode.respond(port, "version seven"));
      cp.nextAck();
    }
    FakeControlPlane restarted = controlPlane();
    ServingNode after = node();

    started(client(after, restarted.target));

    assertEquals("version seven", after.get(), "served from disk before any push");
    assertEquals(7, restarted.nextHello().getVersion());

    restarted.push(7, "again", ServingNode.respond(port, "version seven"));

    assertEquals(Ack.newBuilder().setVersion(7).setNonce("again").build(), restarted.nextAck());
  }

  @Test
  void theBearerTokenReachesTheControlPlaneOverRealTcp() throws Exception {
    FakeControlPlane cp = track(FakeControlPlane.tcp());
    ServingNode node = node();
    started(
        client(node, cp.target).channelFactory(ChannelFactory.plaintext()).token("s3cret-t0ken"));

    assertEquals("Bearer s3cret-t0ken", cp.nextAuthorization());
    assertEquals("node-a", cp.nextHello().getNodeId());

    cp.push(3, "n3", ServingNode.respond(port, "over tcp"));

    assertEquals(3, cp.nextAck().getVersion());
    assertEquals("over tcp", node.get());
  }
}
