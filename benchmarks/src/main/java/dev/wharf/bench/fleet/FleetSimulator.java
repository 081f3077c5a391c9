package dev.wharf.bench.fleet;

import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real control-plane replica and a fleet of {@link SimulatedNode}s in one JVM, to time how long a
 * config change takes to reach every node: from the start of the store's commit call to the moment
 * the last node sent its ACK, and on to the moment the replica recorded the last ACK in its fleet
 * status ({@link ObservedStore}).
 *
 * <p>The replica serves on 127.0.0.1:0 like a production one; the nodes reach it over TCP loopback
 * through shaded-Netty gRPC channels, {@code nodesPerChannel} streams to a channel, so the figures
 * include serialization, HTTP/2 and the kernel's network stack. Changes are made one after another,
 * each waiting until every node ACKed the previous one; a few warm-up changes come first so the JIT
 * has compiled the push path, as in a replica that has run a while.
 */
public final class FleetSimulator {
  private static final String PRINCIPAL = "fleet-simulator";
  private static final int LISTENER_PORT = 8080; // in the pushed config only: nothing binds it

  /**
   * How to run.
   *
   * @param etcd endpoints of an etcd cluster to use as the store; empty for the embedded store
   */
  public record Settings(
      int nodes,
      int changes,
      int warmupChanges,
      int nodesPerChannel,
      int routes,
      Duration ackTimeout,
      List<URI> etcd) {
    public Settings {
      requireAtLeast("nodes", nodes, 1);
      requireAtLeast("changes", changes, 1);
      requireAtLeast("warmupChanges", warmupChanges, 0);
      requireAtLeast("nodesPerChannel", nodesPerChannel, 1);
      requireAtLeast("routes", routes, 1);
      if (ackTimeout.isNegative() || ackTimeout.isZero()) {
        throw new IllegalArgumentException("ackTimeout: " + ackTimeout + " (expected: > 0)");
      }
      etcd = List.copyOf(etcd);
    }

    private static void requireAtLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
      }
    }
  }

  private FleetSimulator() {}

  /**
   * Runs the fleet and returns what it measured; progress goes to {@code log}.
   *
   * @throws TimeoutException when the nodes did not all ACK a version in time
   * @throws IllegalStateException when a node's stream failed or broke the protocol
   */
  public static FleetResult run(Settings s, PrintStream log) throws Exception {
    Objects.requireNonNull(log, "log");
    Path dataDir = s.etcd().isEmpty() ? Files.createTempDirectory("wharf-fleet-") : null;
    try {
      ConfigStore store =
          dataDir != null
              ? FileConfigStore.open(dataDir, Clock.systemUTC())
              // A prefix of its own: a shared cluster's config is never touched.
              : EtcdConfigStore.connect(
                  EtcdStoreSettings.defaults(s.etcd(), "fleet-cp")
                      .withPrefix("/wharf-fleet-" + UUID.randomUUID()));
      return run(s, store, dataDir != null ? "file" : "etcd", log);
    } finally {
      if (dataDir != null) {
        deleteRecursively(dataDir);
      }
    }
  }

  private static FleetResult run(Settings s, ConfigStore backing, String storeName, PrintStream log)
      throws Exception {
    Config base = FleetConfigs.generate(s.routes(), LISTENER_PORT);
    AckTracker sent = new AckTracker(s.nodes());
    AckTracker recorded = new AckTracker(s.nodes());
    VersionTimeline timeline = new VersionTimeline();
    ConfigStore store = observed(backing, recorded, timeline);
    long version;
    ControlPlaneServer server;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PushToAckView.configure(registry);
    try {
      version = store.commit(store.read().version(), base, PRINCIPAL, "fleet: first version");
      server =
          ControlPlaneServer.builder()
              .store(store)
              .replicaId("fleet-cp")
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .registry(registry)
              .start();
    } catch (Exception | Error e) {
      store.close();
      throw e;
    }
    List<ManagedChannel> channels = new ArrayList<>();
    List<SimulatedNode> nodes = new ArrayList<>();
    // The nodes' own event loops: by default the shaded transport's client and server share one
    // group, so a replica's write or ACK read waited behind simulated nodes parsing configs on the
    // same thread, which no real fleet does (its nodes parse on their own machines).
    EventLoopGroup nodeLoops =
        new NioEventLoopGroup(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("fleet-nodes", true));
    // And their own decoding threads: a channel's nodes decoding on its event loop held every ACK
    // they sent until all of them had decoded (150-220 ms at 50 nodes a channel, round 3).
    ExecutorService nodeThreads =
        Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("fleet-node-decode", true));
    try {
      Duration connected =
          connect(
              s,
              new NodeChannels(server.address(), nodeLoops, nodeThreads),
              version,
              sent,
              recorded,
              timeline,
              channels,
              nodes,
              log);
      Trackers t = new Trackers(sent, recorded, timeline);
      for (int c = 1; c <= s.warmupChanges(); c++) {
        version = change(store, base, version, c, t, s.ackTimeout()).version();
      }
      PushToAckView.Counts before = PushToAckView.counts(registry);
      double[] stagesBefore = PushToAckView.publishTotals(registry);
      List<FleetResult.Change> changes = measure(s, store, base, version, t);
      PushToAckView.Stats replica = PushToAckView.between(before, PushToAckView.counts(registry));
      double[] stages = PushToAckView.publishTotals(registry);
      FleetResult result =
          new FleetResult(
              s.nodes(),
              s.nodesPerChannel(),
              storeName,
              s.routes(),
              base.getSerializedSize(),
              connected,
              s.warmupChanges(),
              changes,
              replica,
              (stages[1] - stagesBefore[1]) / Math.max(1, stages[0] - stagesBefore[0]),
              (stages[2] - stagesBefore[2]) / Math.max(1, stages[0] - stagesBefore[0]));
      logResult(log, s, result);
      return result;
    } finally {
      closeAll(nodes, channels);
      nodeLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS);
      nodeThreads.shutdownNow();
      if (storeName.equals("etcd")) {
        cleanUp(store, log);
      }
      server.close(); // closes the store too
    }
  }

  /**
   * {@code backing}, telling {@code recorded} of every simulated node's ACK the replica records.
   */
  private static ConfigStore observed(
      ConfigStore backing, AckTracker recorded, VersionTimeline timeline) {
    return new ObservedStore(
        backing,
        status -> {
          int node = SimulatedNode.indexOf(status.getNodeId());
          if (node >= 0 && status.getAckedVersion() > 0) {
            recorded.acked(node, status.getAckedVersion(), System.nanoTime());
          }
        },
        timeline);
  }

  /** What a change waits on and reads its times from. */
  private record Trackers(AckTracker sent, AckTracker recorded, VersionTimeline timeline) {}

  /**
   * Connects the fleet, {@code nodesPerChannel} nodes to a channel, into {@code channels} and
   * {@code nodes}, and waits until every node ACKed {@code version} and the replica recorded it.
   *
   * @return the time from the first connect until every node sent its ACK
   */
  private static Duration connect(
      Settings s,
      NodeChannels replica,
      long version,
      AckTracker sent,
      AckTracker recorded,
      VersionTimeline timeline,
      List<ManagedChannel> channels,
      List<SimulatedNode> nodes,
      PrintStream log)
      throws Exception {
    long connectStart = System.nanoTime();
    for (int i = 0; i < s.nodes(); i++) {
      if (i % s.nodesPerChannel() == 0) {
        channels.add(replica.open());
      }
      nodes.add(SimulatedNode.connect(channels.get(channels.size() - 1), i, sent, timeline));
    }
    Duration connectTimeout =
        s.ackTimeout().compareTo(Duration.ofMinutes(1)) > 0
            ? s.ackTimeout()
            : Duration.ofMinutes(1);
    sent.await(version, connectTimeout);
    Duration connected = Duration.ofNanos(System.nanoTime() - connectStart);
    recorded.await(version, connectTimeout);
    log.printf(
        "fleet: %d nodes on %d channels ACKed version %d in %d ms%n",
        s.nodes(), channels.size(), version, connected.toMillis());
    return connected;
  }

  /** Makes the measured changes, numbered after the warm-up ones, starting from {@code version}. */
  private static List<FleetResult.Change> measure(
      Settings s, ConfigStore store, Config base, long version, Trackers t) throws Exception {
    List<FleetResult.Change> changes = new ArrayList<>();
    for (int c = 1; c <= s.changes(); c++) {
      FleetResult.Change change =
          change(store, base, version, s.warmupChanges() + c, t, s.ackTimeout());
      changes.add(change);
      version = change.version();
    }
    return changes;
  }

  /** Logs the run's last-ACK figures. */
  private static void logResult(PrintStream log, Settings s, FleetResult result) {
    log.printf(
        "fleet: %d nodes, %d changes: last ACK p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        s.nodes(),
        result.changes().size(),
        result.lastAck().p50Millis(),
        result.lastAck().p99Millis(),
        result.lastAck().maxMillis());
  }

  /** Closes the simulated nodes, then their channels, waiting up to 5 s for each channel. */
  private static void closeAll(List<SimulatedNode> nodes, List<ManagedChannel> channels)
      throws InterruptedException {
    nodes.forEach(SimulatedNode::close);
    for (ManagedChannel ch : channels) {
      ch.shutdown();
    }
    for (ManagedChannel ch : channels) {
      if (!ch.awaitTermination(5, TimeUnit.SECONDS)) {
        ch.shutdownNow();
      }
    }
  }

  /**
   * Commits change {@code number}, waits until every node sent its ACK of the version it made, then
   * until the replica recorded them all (so the next change starts on a quiet replica and its timer
   * holds exactly this change's ACKs).
   */
  private static FleetResult.Change change(
      ConfigStore store, Config base, long version, int number, Trackers t, Duration timeout)
      throws Exception {
    Config next = FleetConfigs.changed(base, number);
    long start = System.nanoTime();
    long made = store.commit(version, next, PRINCIPAL, "fleet: change " + number);
    long committed = System.nanoTime();
    if (made <= version) {
      throw new IllegalStateException(
          "change " + number + " made no new version (" + made + " after " + version + ")");
    }
    AckTracker.Acks acks = t.sent().await(made, timeout);
    AckTracker.Acks statuses = t.recorded().await(made, timeout);
    return new FleetResult.Change(
        made,
        acks.nodes(),
        acks.duplicates(),
        committed - start,
        acks.firstSentNanos() - start,
        acks.lastSentNanos() - start,
        statuses.lastSentNanos() - start,
        t.timeline().times(made, start));
  }

  /** Leaves nothing under the run's etcd prefix but its revision history. */
  private static void cleanUp(ConfigStore store, PrintStream log) {
    try {
      store.commit(
          store.read().version(), Config.getDefaultInstance(), PRINCIPAL, "fleet: clean up");
    } catch (StoreException e) {
      log.println("fleet: could not empty the run's etcd prefix: " + e.getMessage());
    }
  }

  /**
   * Channels of the shaded gRPC transport (named explicitly: jetcd brings an unshaded one too) on
   * the nodes' own event loops, calling the nodes on {@code threads}: gRPC serializes each call's
   * callbacks, so a node still sees its messages one at a time and in order.
   */
  private record NodeChannels(InetSocketAddress replica, EventLoopGroup loops, Executor threads) {
    ManagedChannel open() {
      return NettyChannelBuilder.forAddress(replica)
          .eventLoopGroup(loops)
          .channelType(NioSocketChannel.class)
          .usePlaintext()
          .executor(threads)
          .maxInboundMessageSize(64 << 20) // a 10,000-route config is about 1.2 MB
          .build();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
