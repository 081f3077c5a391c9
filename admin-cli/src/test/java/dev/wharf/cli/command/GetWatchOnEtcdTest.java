package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Cli.Running;
import dev.wharf.cli.client.Transport;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharfctl get ... --watch} against a whole replica (its real Admin {@code Watch} streams)
 * on a real etcd: each version the store commits while the command runs is printed, and the command
 * ends when the replica shuts down. What a real store cannot produce on demand (a stream the server
 * refuses, or ends cleanly) stays scripted in {@link GetWatchTest}.
 */
class GetWatchOnEtcdTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final AtomicInteger FLEETS = new AtomicInteger();

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  @TempDir Path home;
  private EtcdConfigStore store;
  private ControlPlaneServer replica;
  private Cli cli;
  private String server;

  @BeforeEach
  void startReplica() throws Exception {
    // A prefix of its own per test: the tests share the etcd, never a fleet.
    store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "cp-1")
                .withPrefix("/get-watch-" + FLEETS.incrementAndGet()));
    replica =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-1")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .watchNodePoll(Duration.ofMillis(100))
            .shutdownGrace(Duration.ofSeconds(5))
            .start();
    server = "127.0.0.1:" + replica.address().getPort();
    cli = new Cli(home).transport(Transport.netty());
  }

  @AfterEach
  void stop() {
    if (cli != null) {
      cli.close();
    }
    stopReplica();
  }

  /** Shuts the replica down (it closes the store too), as an operator stopping it; once. */
  private void stopReplica() {
    if (replica != null) {
      replica.close();
      replica = null;
    }
  }

  @Test
  void getConfigWatchPrintsALinePerCommittedVersionUntilTheReplicaShutsDown() throws Exception {
    long first = commit(config("a"));
    Running watch = cli.start("get", "config", "--watch", "--server", server);
    awaitOut(watch, "version " + first + "\n");

    long second = commit(config("a", "b"));
    awaitOut(watch, "version " + first + "\nversion " + second + "\n");

    stopReplica();
    Result r = watch.await(BOUND);
    assertEquals("version " + first + "\nversion " + second + "\n", r.out());
    assertNotEquals(0, r.exitCode(), r::toString); // the stream broke: not a clean end
    assertTrue(r.err().contains("shutting down"), r::toString);
  }

  @Test
  void getConfigWatchWithYamlPrintsEachCommittedConfigAsADocument() throws Exception {
    long first = commit(config("a"));
    Running watch = cli.start("get", "config", "--watch", "-o", "yaml", "--server", server);
    Await.until(BOUND, () -> watch.out().contains("name: a"), watch::out);

    long second = commit(config("a", "b"));
    Await.until(BOUND, () -> watch.out().contains("--- # version " + second), watch::out);

    stopReplica();
    String out = watch.await(BOUND).out();
    assertTrue(out.startsWith("--- # version " + first + "\n"), out);
    String last = out.substring(out.indexOf("--- # version " + second));
    assertTrue(last.contains("name: a") && last.contains("name: b"), out);
  }

  @Test
  void getUpstreamsWatchPrintsWhatChangedInEachCommittedVersion() throws Exception {
    long first = commit(config("a", "b"));
    Running watch = cli.start("get", "upstreams", "--watch", "--server", server);
    String present = first + " upstream a present\n" + first + " upstream b present\n";
    awaitOut(watch, present);

    // A listener, no upstream changes in this version: nothing is printed for it.
    commit(
        config("a", "b").toBuilder()
            .addListeners(Listener.newBuilder().setName("web").setPort(8080))
            .build());
    long third =
        commit(
            Config.newBuilder()
                .addUpstreams(upstream("a", 9001))
                .addUpstreams(upstream("c", 9000))
                .build());
    awaitOut(
        watch,
        present
            + third
            + " upstream a updated\n"
            + third
            + " upstream c created\n"
            + third
            + " upstream b deleted\n");
  }

  @Test
  void getNodesWatchPrintsALinePerNodeStatusTheStoreHolds() throws Exception {
    Running watch = cli.start("get", "nodes", "--watch", "--server", server);
    store.nodes().put(NodeStatus.newBuilder().setNodeId("edge-1").setAckedVersion(3).build());
    String one = "edge-1 version 3 replica cp-1\n";
    awaitOut(watch, one);

    store
        .nodes()
        .put(
            NodeStatus.newBuilder()
                .setNodeId("edge-2")
                .setAckedVersion(2)
                .setLastNackVersion(3)
                .setLastNackReason("routes[0]: bad")
                .build());
    String two = one + "edge-2 version 2 replica cp-1 refused 3: routes[0]: bad\n";
    awaitOut(watch, two);

    store.nodes().remove("edge-1");
    awaitOut(watch, two + "edge-1 removed\n");
  }

  /**
   * Commits {@code config} and waits until the replica's watches have it: a watch started before
   * the store's event reached the replica begins, truthfully, with the version before.
   */
  private long commit(Config config) throws StoreException {
    long version = store.commit(store.read().version(), config, "test", "test commit");
    Await.until(
        BOUND,
        () -> replica.watches().latestVersion() >= version,
        () -> "the replica's watches are at " + replica.watches().latestVersion());
    return version;
  }

  /** Waits until the command printed exactly {@code expected} (a line too many fails at once). */
  private static void awaitOut(Running watch, String expected) {
    Await.until(
        BOUND,
        () -> {
          String out = watch.out();
          if (!expected.startsWith(out)) {
            throw new AssertionError("expected output " + expected + " but printed " + out);
          }
          return out.equals(expected);
        },
        watch::out);
  }

  private static Config config(String... upstreams) {
    Config.Builder c = Config.newBuilder();
    for (String u : upstreams) {
      c.addUpstreams(upstream(u, 9000));
    }
    return c.build();
  }

  private static Upstream upstream(String name, int port) {
    return Upstream.newBuilder()
        .setName(name)
        .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:" + port))
        .build();
  }
}
