package dev.wharf.standalone;

import dev.wharf.common.BuildInfo;
import dev.wharf.common.ShutdownSignal;
import dev.wharf.config.ConfigSummary;
import dev.wharf.config.DurationFlags;
import dev.wharf.controlplane.AccessOptions;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.dataplane.DataPlaneMain;
import dev.wharf.dataplane.NodeMeterRegistry;
import dev.wharf.dataplane.TransportOption;
import dev.wharf.dataplane.admin.AdminServer;
import dev.wharf.dataplane.discovery.ConfigSink;
import dev.wharf.dataplane.discovery.DiscoveryClient;
import dev.wharf.dataplane.discovery.SnapshotFile;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.launch.Startup;
import dev.wharf.launch.StartupException;
import dev.wharf.proto.config.v1.Config;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Wharf on one machine, in one process: the control plane on its embedded store and one data-plane
 * node, fed from a YAML file. The node gets its config exactly as in a cluster (over the discovery
 * protocol, here in-process), and keeps its last good snapshot in the data directory. Editing the
 * file commits a new version; a file that does not validate is reported and changes nothing.
 *
 * <p>The replica also serves the Admin API on {@code --admin-api} (loopback by default), so
 * wharfctl works against standalone as against a cluster. The file stays the source of truth: a
 * change made through the Admin API lasts until the file is edited again or the process restarts,
 * when the file is committed over it.
 *
 * <p>Shutdown order, on SIGTERM, SIGINT or {@code wharfctl drain standalone}: stop watching the
 * file (no config changes while draining), drain the node ({@link NodeDrain}), close its admin
 * port, then the file watcher, the node's discovery client, the node, and last the control plane
 * and its store.
 */
@Command(
    name = "wharf-standalone",
    mixinStandardHelpOptions = true,
    versionProvider = StandaloneMain.Version.class,
    description = "Run the control plane (embedded store) and one node in this process.",
    footer = {
      "",
      "Example:",
      "  java -jar wharf-standalone.jar --config deploy/examples/demo.yaml"
    })
public final class StandaloneMain implements Callable<Integer> {
  private static final Duration FIRST_APPLY = Duration.ofSeconds(30);
  private static final String REPLICA_ID = "standalone";

  @Spec private CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Config document (YAML or JSON); committed again whenever it changes.")
  private Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "wharf-data",
      description =
          "Embedded store and the node's last good snapshot " + "(default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9901",
      description =
          "The node's /metrics, /healthz, /readyz, /config "
              + "(default: ${DEFAULT-VALUE}; port 0 picks a free one).")
  private String admin;

  @Option(
      names = "--admin-api",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9700",
      description =
          "gRPC address of the Admin API, for wharfctl (default: ${DEFAULT-VALUE}; "
              + "port 0 picks a free one). A non-loopback address needs --token-file.")
  private String adminApi;

  @Option(
      names = "--admin-http",
      paramLabel = "HOST:PORT",
      description =
          "Also serve the Admin API as HTTP/JSON here, for curl (default: off; same credentials "
              + "as --admin-api). See docs/admin-api.md.")
  private String adminHttp;

  @Mixin private AccessOptions access = new AccessOptions();

  @Mixin private TransportOption transport;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Event-loop threads (default: number of cores).")
  private int workers = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--drain-grace",
      paramLabel = "DURATION",
      defaultValue = "0s",
      converter = DurationFlags.NonNegative.class,
      description =
          "On SIGTERM: how long the node keeps accepting after /readyz turned 503 "
              + "(default: ${DEFAULT-VALUE}; raise it behind a load balancer).")
  private Duration drainGrace;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationFlags.NonNegative.class,
      description = "Hard bound of the drain on SIGTERM (default: ${DEFAULT-VALUE}).")
  private Duration drainTimeout;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      defaultValue = "standalone",
      description = "The node's name in statuses and metrics (default: ${DEFAULT-VALUE}).")
  private String nodeId;

  public static void main(String[] args) {
    Startup.nettyDefaults(System.getProperties());
    System.exit(new CommandLine(new StandaloneMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Config loaded = Startup.loadConfig(null, config);
      out.println(config + ": valid (" + ConfigSummary.of(loaded) + ")");
      NodeDrain.Settings drain = drainSettings();
      InetSocketAddress adminAddress = Startup.bindAddress("--admin", admin);
      InetSocketAddress adminApiAddress = Startup.bindAddress("--admin-api", adminApi);
      access.check("--admin-api", adminApiAddress);
      ControlPlaneServer.Builder replica = ControlPlaneServer.builder();
      if (adminHttp != null) {
        InetSocketAddress adminHttpAddress = Startup.bindAddress("--admin-http", adminHttp);
        access.check("--admin-http", adminHttpAddress);
        replica.adminHttp(adminHttpAddress);
      }
      access.configure(replica, err);
      FileConfigStore store = openStore();
      long version = commit(store, loaded);

      ShutdownSignal signal = ShutdownSignal.install(drainTimeout.plusSeconds(10));
      NodeMeterRegistry registry = DataPlaneMain.registry();
      String channel = "wharf-standalone-" + UUID.randomUUID();
      NodeOutcomes outcomes = new NodeOutcomes(version, out);
      replica
          .store(store)
          .replicaId(REPLICA_ID)
          .inProcess(channel)
          .listen(adminApiAddress)
          .registry(registry);
      try (registry; // closed last: the process's meters stop with the node
          ControlPlaneServer controlPlane = startOrClose(replica, store);
          DataPlaneNode node = DataPlaneMain.node(registry, workers, nodeId);
          DiscoveryClient client = client(node, channel, outcomes, signal);
          StandaloneFile watcher = new StandaloneFile(config, store)) {
        client.start();
        outcomes.awaitFirst(config, FIRST_APPLY);
        try (AdminServer adminServer = DataPlaneMain.startAdmin(adminAddress, registry, node)) {
          watcher.watch(); // before the lines below: edits made after them are never missed
          printStarted(out, adminServer, controlPlane, node, version);
          signal.await();
          watcher.close(); // no config changes while draining
          NodeDrain.run(node, drain, System::nanoTime);
        }
      } finally {
        signal.done();
      }
      return 0;
    } catch (StartupException e) {
      return e.report(err);
    }
  }

  private NodeDrain.Settings drainSettings() throws StartupException {
    try {
      return new NodeDrain.Settings(drainGrace, drainTimeout);
    } catch (IllegalArgumentException e) {
      throw StartupException.usage(e.getMessage());
    }
  }

  private FileConfigStore openStore() throws StartupException {
    try {
      return FileConfigStore.open(dataDir.resolve("store"), Clock.systemUTC());
    } catch (StoreException e) {
      throw StartupException.failed(e.getMessage(), e);
    }
  }

  /** Commits the file over whatever the store holds, as every start does. */
  private long commit(FileConfigStore store, Config loaded) throws StartupException {
    try {
      return StandaloneFile.commit(store, config, loaded);
    } catch (StoreException e) {
      store.close();
      throw StartupException.failed(e.getMessage(), e);
    }
  }

  private ControlPlaneServer startOrClose(ControlPlaneServer.Builder replica, FileConfigStore store)
      throws StartupException {
    try {
      return replica.start();
    } catch (IOException e) {
      store.close();
      throw StartupException.failed("--admin-api " + adminApi + ": " + e.getMessage(), e);
    }
  }

  /** The node's discovery client, talking to the replica in this process. */
  private DiscoveryClient client(
      DataPlaneNode node, String channel, NodeOutcomes outcomes, ShutdownSignal signal) {
    return DiscoveryClient.builder()
        .nodeId(nodeId)
        .targets(List.of("in-process"))
        .channelFactory(target -> InProcessChannelBuilder.forName(channel).build())
        .sink(ConfigSink.of(node))
        .snapshotFile(SnapshotFile.in(dataDir.resolve("node")))
        .events(outcomes)
        .events(new DrainOnRequest(spec.commandLine().getOut(), signal))
        .build();
  }

  private void printStarted(
      PrintWriter out,
      AdminServer adminServer,
      ControlPlaneServer controlPlane,
      DataPlaneNode node,
      long version) {
    out.println("admin: " + Startup.hostPort(adminServer.address()));
    out.println("admin api: " + Startup.hostPort(controlPlane.address()));
    if (controlPlane.adminHttpAddress() != null) {
      out.println("admin http: " + Startup.hostPort(controlPlane.adminHttpAddress()));
    }
    out.println("auth: " + access.describe());
    for (var l : node.current().config().getListenersList()) {
      out.println(
          "listening: " + l.getName() + " on " + Startup.hostPort(node.address(l.getName())));
    }
    out.println(
        "wharf "
            + BuildInfo.version(StandaloneMain.class)
            + " standalone: version "
            + version
            + ", data in "
            + dataDir.toAbsolutePath());
    out.flush();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "wharf-standalone " + BuildInfo.version(StandaloneMain.class), BuildInfo.runtime()
      };
    }
  }
}
