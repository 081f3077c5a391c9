package dev.wharf.controlplane;

import dev.wharf.common.BuildInfo;
import dev.wharf.common.ShutdownSignal;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigSummary;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.dataplane.admin.AdminServer;
import dev.wharf.dataplane.discovery.ConfigSink;
import dev.wharf.dataplane.discovery.DiscoveryClient;
import dev.wharf.dataplane.discovery.DiscoveryEvents;
import dev.wharf.dataplane.discovery.SnapshotFile;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.DataPlaneMain;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.proto.config.v1.Config;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Wharf on one machine, in one process: the control plane on its embedded store and one
 * data-plane node, fed from a YAML file. The node gets its config exactly as in a cluster (over
 * the discovery protocol, here in-process), and keeps its last good snapshot in the data
 * directory. Editing the file commits a new version; a file that does not validate is reported
 * and changes nothing.
 *
 * <p>The replica also serves the Admin API on {@code --admin-api} (loopback by default), so
 * wharfctl works against standalone as against a cluster. The file stays the source of truth:
 * a change made through the Admin API lasts until the file is edited again or the process
 * restarts, when the file is committed over it.
 */
@Command(
    name = "standalone",
    mixinStandardHelpOptions = true,
    versionProvider = ControlPlaneMain.Version.class,
    description = "Run the control plane (embedded store) and one node in this process.",
    footer = {"", "Example:",
        "  java -jar wharf-control-plane.jar standalone --config deploy/examples/demo.yaml"})
final class StandaloneCommand implements Callable<Integer> {
  private static final long FIRST_APPLY_SECONDS = 30;

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Config document (YAML or JSON); committed again whenever it changes.")
  private Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "wharf-data",
      description = "Embedded store and the node's last good snapshot "
          + "(default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9901",
      description = "The node's /metrics, /healthz, /readyz, /config "
          + "(default: ${DEFAULT-VALUE}; port 0 picks a free one).")
  private String admin;

  @Option(names = "--admin-api", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9700",
      description = "gRPC address of the Admin API, for wharfctl (default: ${DEFAULT-VALUE}; "
          + "port 0 picks a free one). A non-loopback address needs --token-file.")
  private String adminApi;

  @Mixin
  private AccessOptions access = new AccessOptions();

  @Option(names = "--workers", paramLabel = "N",
      description = "Event-loop threads (default: number of cores).")
  private int workers = Runtime.getRuntime().availableProcessors();

  @Option(names = "--drain-grace", paramLabel = "DURATION", defaultValue = "0s",
      converter = DataPlaneMain.DrainDuration.class,
      description = "On SIGTERM: how long the node keeps accepting after /readyz turned 503 "
          + "(default: ${DEFAULT-VALUE}; raise it behind a load balancer).")
  private Duration drainGrace;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = DataPlaneMain.DrainDuration.class,
      description = "Hard bound of the drain on SIGTERM (default: ${DEFAULT-VALUE}).")
  private Duration drainTimeout;

  @Option(names = "--node-id", paramLabel = "ID", defaultValue = "standalone",
      description = "The node's name in statuses and metrics (default: ${DEFAULT-VALUE}).")
  private String nodeId;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config loaded;
    try {
      loaded = ConfigDocuments.load(config);
    } catch (IOException e) {
      err.println("error: cannot read " + config + ": " + e.getMessage());
      return 1;
    } catch (ConfigException e) {
      printErrors(err, e.errors());
      return 1;
    }
    out.println(config + ": valid (" + ConfigSummary.of(loaded) + ")");
    NodeDrain.Settings drain;
    try {
      drain = new NodeDrain.Settings(drainGrace, drainTimeout);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    InetSocketAddress adminAddress;
    InetSocketAddress adminApiAddress;
    try {
      adminAddress = ControlPlaneMain.socketAddress("--admin", admin);
      adminApiAddress = ControlPlaneMain.socketAddress("--admin-api", adminApi);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    String usage = access.usageError("--admin-api", adminApiAddress);
    if (usage != null) {
      err.println("error: " + usage);
      return 2;
    }
    ControlPlaneServer.Builder controlPlaneBuilder = ControlPlaneServer.builder();
    try {
      access.configure(controlPlaneBuilder, err);
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }

    FileConfigStore store;
    long version;
    try {
      store = FileConfigStore.open(dataDir.resolve("store"), Clock.systemUTC());
      version = StandaloneFile.commit(store, config, loaded);
    } catch (StoreException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }

    ShutdownSignal signal = ShutdownSignal.install(drainTimeout.plusSeconds(10));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    String channelName = "wharf-standalone-" + UUID.randomUUID();
    FirstOutcome first = new FirstOutcome(version);
    ControlPlaneServer started;
    try {
      started = controlPlaneBuilder.store(store).replicaId("standalone").inProcess(channelName)
          .listen(adminApiAddress).registry(registry).start();
    } catch (IOException e) {
      store.close();
      signal.done();
      err.println("error: --admin-api " + adminApi + ": " + e.getMessage());
      return 1;
    }
    try (ControlPlaneServer controlPlane = started;
        DataPlaneNode node = DataPlaneNode.builder()
            .transport(Transport.best())
            .workers(workers)
            .hostname(nodeId)
            .metrics(new ProxyMetrics(registry))
            .build();
        DiscoveryClient client = DiscoveryClient.builder()
            .nodeId(nodeId)
            .targets(List.of("in-process"))
            .channelFactory(target -> InProcessChannelBuilder.forName(channelName).build())
            .sink(ConfigSink.of(node))
            .snapshotFile(SnapshotFile.in(dataDir.resolve("node")))
            .events(first)
            .events(new LoggedOutcomes(out))
            .build();
        StandaloneFile watcher = new StandaloneFile(config, store)) {
      client.start();
      String refused;
      try {
        refused = first.outcome.get(FIRST_APPLY_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        err.println("error: the node did not apply version " + version + " within "
            + FIRST_APPLY_SECONDS + "s");
        return 1;
      }
      if (refused != null) {
        err.println("error: " + config + " cannot be served: " + refused);
        return 1;
      }
      AdminServer adminServer;
      try {
        adminServer = AdminServer.start(Transport.best(), adminAddress, registry, node);
      } catch (IOException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      try (adminServer) {
        watcher.watch(); // before the lines below: edits made after them are never missed
        out.println("admin: " + ControlPlaneMain.hostPort(adminServer.address()));
        out.println("admin api: " + ControlPlaneMain.hostPort(controlPlane.address()));
        out.println("auth: " + access.describe());
        for (var l : node.current().config().getListenersList()) {
          out.println("listening: " + l.getName() + " on "
              + ControlPlaneMain.hostPort(node.address(l.getName())));
        }
        out.println("wharf " + BuildInfo.version(StandaloneCommand.class)
            + " standalone: version " + version + ", data in " + dataDir.toAbsolutePath());
        out.flush();
        signal.await();
        watcher.close(); // no config changes while draining
        NodeDrain.run(node, drain, System::nanoTime);
      }
    } finally {
      signal.done();
    }
    return 0;
  }

  static void printErrors(PrintWriter err, List<ConfigError> errors) {
    err.println("error: " + errors.size() + " error(s) in the config:");
    for (ConfigError e : errors) {
      err.println("  " + e);
    }
  }

  /** Completes with null when the node applies {@code version}, or with the refusal reason. */
  private static final class FirstOutcome implements DiscoveryEvents {
    final CompletableFuture<String> outcome = new CompletableFuture<>();
    private final long version;

    FirstOutcome(long version) {
      this.version = version;
    }

    @Override
    public void applied(long v, String source) {
      if (v >= version) {
        outcome.complete(null);
      }
    }

    @Override
    public void refused(long v, String source, String reason) {
      if (v >= version) {
        outcome.complete(reason);
      }
    }
  }

  /** Says on stdout what later edits of the file did. */
  private record LoggedOutcomes(PrintWriter out) implements DiscoveryEvents {
    @Override
    public void applied(long v, String source) {
      out.println("applied version " + v);
      out.flush();
    }

    @Override
    public void refused(long v, String source, String reason) {
      out.println("version " + v + " refused, still serving the previous one: " + reason);
      out.flush();
    }
  }
}
