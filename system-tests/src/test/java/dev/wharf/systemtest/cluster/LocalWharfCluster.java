package dev.wharf.systemtest.cluster;

import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.EtcdCluster;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A local Wharf cluster on real processes, the fixture of the multi-process tests: control-plane
 * replicas and data-plane nodes started from the jars CI builds, on a real etcd cluster the test
 * owns (usually {@code EtcdExtension.cluster(3)}), under a config prefix of their own; a store
 * connection for the test to commit and to read the fleet view with; wharfctl (jar) as the operator
 * runs it.
 *
 * <p>Every process binds 127.0.0.1 on ephemeral ports and is stopped by its own pid in {@link
 * #close} (the last started first; a paused one is resumed first so that it can take SIGTERM), even
 * when a test failed. Log files are named {@code ID-N.log} (N: the how-manieth process), so a
 * restarted replica or node is not confused with its predecessor's output.
 *
 * <p>Threading: start and stop processes from the test thread; the reads ({@link #body}, {@link
 * #statuses}) may be called from any thread.
 */
final class LocalWharfCluster implements AutoCloseable {
  static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");

  /** How long a process may take to start on a loaded two-core machine. */
  static final Duration START = Duration.ofSeconds(60);

  /** A data-plane node: its id, its process, its listeners' ports and its admin URL. */
  record Node(String id, JarProcess process, Map<String, Integer> ports, String admin) {
    int webPort() {
      return ports.get("web");
    }

    int port(String listener) {
      return ports.get(listener);
    }

    String url() {
      return "http://127.0.0.1:" + webPort() + "/";
    }
  }

  private final EtcdCluster etcd;
  private final Path dir;
  private final Duration converge;
  private final List<String> replicaFlags;
  private final List<String> listeners;
  private final String prefix;
  private final List<JarProcess> processes = new ArrayList<>();
  private final List<JarProcess> replicas = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> discovery = new ArrayList<>();
  private EtcdConfigStore store;

  private LocalWharfCluster(
      EtcdCluster etcd,
      Path dir,
      String prefixStem,
      Duration converge,
      List<String> replicaFlags,
      List<String> listeners) {
    this.etcd = etcd;
    this.dir = dir;
    this.converge = converge;
    this.replicaFlags = List.copyOf(replicaFlags);
    this.listeners = List.copyOf(listeners);
    this.prefix = prefixStem + UUID.randomUUID();
  }

  /**
   * Commits {@code first} as version 1 of a fresh prefix, starts {@code replicaCount} replicas
   * ({@code cp-a}, {@code cp-b}, ... each with {@code replicaFlags}) and {@code nodeCount} nodes
   * ({@code node1}...) dialing the replicas in that order, each node with a free port for each of
   * {@code listeners} (the first is {@code web}), and returns once every node answers {@code GET /}
   * with {@code firstBody}. On a failure, what was started is stopped before the error is thrown.
   */
  static LocalWharfCluster start(
      EtcdCluster etcd, Path dir, Duration converge, Spec spec, Config first, String firstBody)
      throws Exception {
    LocalWharfCluster cluster =
        new LocalWharfCluster(
            etcd, dir, spec.prefixStem(), converge, spec.replicaFlags(), spec.listeners());
    try {
      cluster.store =
          EtcdConfigStore.connect(
              EtcdStoreSettings.defaults(etcd.clientEndpoints(), "test")
                  .withPrefix(cluster.prefix));
      cluster.store.commit(0, first, "test", "first version");
      for (int i = 0; i < spec.replicas(); i++) {
        cluster.startReplica("cp-" + (char) ('a' + i));
      }
      for (JarProcess replica : cluster.replicas) {
        cluster.discovery.add(replica.awaitLine("discovery:", START));
      }
      for (int i = 1; i <= spec.nodes(); i++) {
        cluster.nodes.add(cluster.startNode("node" + i, cluster.targets()));
      }
      for (Node n : cluster.nodes) {
        cluster.awaitBody(n, firstBody);
      }
      return cluster;
    } catch (Exception | Error e) {
      try {
        cluster.close();
      } catch (Exception | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * What to start: {@code replicas} replicas with {@code replicaFlags}, {@code nodes} nodes with a
   * listener port for each of {@code listeners}, under a prefix starting {@code prefixStem}.
   */
  record Spec(
      String prefixStem,
      int replicas,
      List<String> replicaFlags,
      int nodes,
      List<String> listeners) {
    static Spec of(String prefixStem, int replicas, int nodes) {
      return new Spec(prefixStem, replicas, List.of(), nodes, List.of("web"));
    }

    Spec withReplicaFlags(String... flags) {
      return new Spec(prefixStem, replicas, List.of(flags), nodes, listeners);
    }

    Spec withListeners(String... names) {
      return new Spec(prefixStem, replicas, replicaFlags, nodes, List.of(names));
    }
  }

  // --- processes ---

  /** Starts a replica {@code id} on this cluster's etcd and prefix (it is not awaited). */
  JarProcess startReplica(String id) throws Exception {
    String endpoints =
        etcd.clientEndpoints().stream().map(URI::toString).collect(Collectors.joining(","));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--replica-id",
                id,
                "--etcd",
                endpoints,
                "--etcd-prefix",
                prefix));
    args.addAll(replicaFlags);
    JarProcess p = keep(JarProcess.startJar(logName(id), dir, JarProcess.CONTROL_PLANE_JAR, args));
    replicas.add(p);
    return p;
  }

  /**
   * Starts a node {@code id} dialing {@code targets}, with a fresh port for each listener, and
   * waits until it applied the fleet's config (the store must have one). When a port was taken
   * before the node bound it (the node refuses the version: "address already in use"), the node is
   * stopped and started again on other ports ({@link FreePorts#retryWhenTaken}).
   */
  Node startNode(String id, String targets) throws Exception {
    return FreePorts.retryWhenTaken(
        listeners.size(),
        free -> {
          Map<String, Integer> ports = new LinkedHashMap<>();
          for (int i = 0; i < listeners.size(); i++) {
            ports.put(listeners.get(i), free.get(i));
          }
          Node node = startNode(id, targets, ports);
          try {
            node.process().awaitStarted("applied version ", converge);
          } catch (Exception | AssertionError e) {
            node.process().close();
            processes.remove(node.process());
            throw e;
          }
          return node;
        });
  }

  /** Starts a node {@code id} dialing {@code targets} with the given listener ports. */
  Node startNode(String id, String targets, Map<String, Integer> ports) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--control-plane",
                targets,
                "--node-id",
                id,
                "--state-dir",
                dir.resolve(id + "-state").toString(),
                "--admin",
                "127.0.0.1:0"));
    ports.forEach(
        (listener, port) -> args.addAll(List.of("--listener-port", listener + "=" + port)));
    args.addAll(List.of("--workers", "1", "--drain-grace", "0s"));
    JarProcess p = keep(JarProcess.startJar(logName(id), dir, JarProcess.DATA_PLANE_JAR, args));
    return new Node(id, p, Map.copyOf(ports), "http://" + p.awaitLine("admin:", START));
  }

  private String logName(String id) {
    return id + "-" + processes.size();
  }

  private JarProcess keep(JarProcess p) {
    processes.add(p);
    return p;
  }

  /** The replicas started at the start, in order ({@code cp-a} first). */
  JarProcess replica(int index) {
    return replicas.get(index);
  }

  /** The nodes started at the start ({@code node1} first). */
  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The replicas' discovery (and Admin API) addresses, {@code HOST:PORT}, in start order. */
  List<String> discoveryAddresses() {
    return List.copyOf(discovery);
  }

  /** What a node's {@code --control-plane} says: every replica started at the start. */
  String targets() {
    return String.join(",", discovery);
  }

  // --- the store and the fleet view ---

  EtcdConfigStore store() {
    return store;
  }

  /** Closes the test's own store connection (before etcd is stopped on purpose). */
  void closeStore() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  /** Commits {@code config} over whatever version is current; returns the new version. */
  long commit(Config config, String summary) throws Exception {
    return store.commit(store.read().version(), config, "test", summary);
  }

  /** The live node statuses in etcd, or none while etcd does not answer. */
  List<NodeStatus> statuses() {
    try {
      return store.nodes().list();
    } catch (Exception e) {
      return List.of();
    }
  }

  long onReplica(String replica) {
    return statuses().stream().filter(s -> s.getReplica().equals(replica)).count();
  }

  long ackedBy(long version) {
    return statuses().stream().filter(s -> s.getAckedVersion() == version).count();
  }

  /** The fleet view, for failure messages. */
  String fleet() {
    return statuses().stream()
        .map(
            s ->
                s.getNodeId()
                    + " on "
                    + s.getReplica()
                    + " acked "
                    + s.getAckedVersion()
                    + " nacked "
                    + s.getLastNackVersion())
        .collect(Collectors.joining("; "));
  }

  // --- what clients see ---

  /** The body of {@code GET /} on the node's web listener, or the status or error instead. */
  static String body(Node n) {
    try {
      HttpResponse<String> r = Http.get(URI.create(n.url()));
      return r.statusCode() == 200 ? r.body() : r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Waits (the converge bound) until the node answers {@code GET /} with 200 and {@code body}. */
  String awaitBody(Node n, String expected) {
    String[] last = {"(no answer)"};
    Await.until(
        converge,
        () -> (last[0] = body(n)).equals(expected),
        () -> n.id() + " at " + n.url() + " answers " + last[0] + "\n" + n.process().output());
    return expected;
  }

  /** Runs the wharfctl jar with {@code args} (and no wharfctl.yaml), within 120 s. */
  Result wharfctl(List<String> args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString()));
    command.addAll(args);
    return CommandRunner.run(
        Duration.ofSeconds(120),
        command,
        Map.of("WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString()));
  }

  /** Stops every process by its pid, the last started first, then the store connection. */
  @Override
  public void close() throws Exception {
    try {
      JarProcess.closeAll(processes);
    } finally {
      closeStore();
    }
  }
}
