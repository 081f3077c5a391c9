package dev.wharf.controlplane;

import dev.wharf.common.BuildInfo;
import dev.wharf.common.ProcessMeters;
import dev.wharf.common.ShutdownSignal;
import dev.wharf.config.ConfigSummary;
import dev.wharf.config.DurationFlags;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.server.MetricsEndpoint;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.StaleVersionException;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.launch.Startup;
import dev.wharf.launch.StartupException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Entry point of a control-plane replica. Every option can also come from the environment ({@code
 * WHARF_LISTEN}, {@code WHARF_ETCD}, ...) or from an argument file
 * ({@code @/etc/wharf/control-plane.args}, one option per line).
 */
@Command(
    name = "wharf-control-plane",
    mixinStandardHelpOptions = true,
    versionProvider = ControlPlaneMain.Version.class,
    description = {
      "A Wharf control-plane replica: keeps config in etcd (or, without --etcd, in "
          + "an embedded store in --data-dir) and pushes it to data-plane nodes."
    },
    footer = {
      "",
      "Examples:",
      "  java -jar wharf-control-plane.jar --etcd http://10.0.0.1:2379,http://10.0.0.2:2379",
      "  java -jar wharf-control-plane.jar --data-dir /var/lib/wharf"
    })
public final class ControlPlaneMain implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:WHARF_LISTEN:-127.0.0.1:9700}",
      description =
          "gRPC address of the discovery stream and the Admin API (default: "
              + "${DEFAULT-VALUE}; port 0 picks a free one). Env WHARF_LISTEN.")
  private String listen;

  @Option(
      names = "--etcd",
      paramLabel = "URL[,URL...]",
      split = ",",
      defaultValue = "${env:WHARF_ETCD}",
      description = "etcd client URLs. Without them config lives in --data-dir. Env WHARF_ETCD.")
  private List<URI> etcd;

  @Option(
      names = "--etcd-prefix",
      paramLabel = "PREFIX",
      defaultValue = "${env:WHARF_ETCD_PREFIX:-/wharf}",
      description = "Key prefix in etcd (default: ${DEFAULT-VALUE}). Env WHARF_ETCD_PREFIX.")
  private String etcdPrefix;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:WHARF_DATA_DIR:-wharf-data}",
      description =
          "Embedded store's directory when no --etcd is given "
              + "(default: ${DEFAULT-VALUE}). Env WHARF_DATA_DIR.")
  private Path dataDir;

  @Option(
      names = "--replica-id",
      paramLabel = "ID",
      defaultValue = "${env:WHARF_REPLICA_ID}",
      description =
          "This replica's name in node statuses (default: HOSTNAME:PORT). "
              + "Env WHARF_REPLICA_ID.")
  private String replicaId;

  @Option(
      names = "--metrics",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:WHARF_METRICS:-127.0.0.1:9702}",
      description =
          "HTTP address of /metrics, /healthz, /readyz (default: ${DEFAULT-VALUE}; "
              + "port 0 picks a free one). Env WHARF_METRICS.")
  private String metrics;

  @Option(
      names = "--admin-http",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:WHARF_ADMIN_HTTP}",
      description =
          "Also serve the Admin API as HTTP/JSON here (default: off; HTTPS with --tls-cert; same "
              + "tokens, client certificates and roles). Env WHARF_ADMIN_HTTP.")
  private String adminHttp;

  @Mixin private AccessOptions access = new AccessOptions();

  @Mixin private LivenessOptions liveness = new LivenessOptions();

  @Option(
      names = "--node-memory",
      paramLabel = "DURATION",
      defaultValue = "${env:WHARF_NODE_MEMORY:-10m}",
      converter = DurationFlags.Positive.class,
      description =
          "How long a node whose stream ended, or whose replica vanished, stays listed (nodes, "
              + "rollout) as disconnected or unknown with its last version, e.g. 90s, 10m "
              + "(default: ${DEFAULT-VALUE}). Env WHARF_NODE_MEMORY.")
  private Duration nodeMemory;

  @Option(
      names = "--bootstrap-config",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_BOOTSTRAP_CONFIG}",
      description =
          "Commit this config document if the store holds none yet (a new cluster). "
              + "Ignored once any version exists. Env WHARF_BOOTSTRAP_CONFIG.")
  private Path bootstrapConfig;

  /**
   * The registry a replica's /metrics serves: build info and the JVM's and the process's meters
   * ({@link ProcessMeters}); the replica adds its own. The caller closes it after the replica.
   */
  static ReplicaMeterRegistry registry() {
    return ReplicaMeterRegistry.of(ControlPlaneMain.class);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ControlPlaneMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      InetSocketAddress listenAddress = Startup.bindAddress("--listen", listen);
      InetSocketAddress metricsAddress = Startup.bindAddress("--metrics", metrics);
      access.check("--listen", listenAddress);
      InetSocketAddress adminHttpAddress =
          adminHttp == null || adminHttp.isBlank()
              ? null
              : Startup.bindAddress("--admin-http", adminHttp);
      if (adminHttpAddress != null) {
        access.check("--admin-http", adminHttpAddress);
      }
      Config bootstrap =
          bootstrapConfig == null
              ? null
              : Startup.loadConfig("--bootstrap-config", bootstrapConfig);
      ControlPlaneServer.Builder builder = ControlPlaneServer.builder();
      access.configure(builder, err);
      liveness.configure(builder);
      String replica =
          replicaId != null ? replicaId : Startup.hostname() + ":" + listenAddress.getPort();

      ReplicaMeterRegistry registry = registry();
      ConfigStore store;
      try {
        store = openStore(replica, bootstrap, err);
      } catch (StartupException e) {
        registry.close();
        throw e;
      }
      ShutdownSignal signal = ShutdownSignal.install(Duration.ofSeconds(30));
      builder.store(store).replicaId(replica).listen(listenAddress).registry(registry);
      builder.nodeMemory(nodeMemory);
      if (adminHttpAddress != null) {
        builder.adminHttp(adminHttpAddress);
      }
      try (registry;
          ControlPlaneServer server = startOrClose(builder, store);
          MetricsEndpoint endpoint =
              MetricsEndpoint.start(
                  metricsAddress, registry, () -> server.discovery().latestVersion() > 0)) {
        out.println("replica: " + replica);
        out.println(
            "store: "
                + (etcd == null || etcd.isEmpty()
                    ? "embedded in " + dataDir.toAbsolutePath()
                    : "etcd " + etcd + " under " + etcdPrefix));
        out.println("discovery: " + Startup.hostPort(server.address()));
        out.println("admin api: " + Startup.hostPort(server.address()));
        if (server.adminHttpAddress() != null) {
          out.println("admin http: " + Startup.hostPort(server.adminHttpAddress()));
        }
        out.println("auth: " + access.describe());
        out.println("metrics: " + Startup.hostPort(endpoint.address()));
        out.flush();
        signal.await();
      } catch (IOException e) {
        throw StartupException.failed(e.getMessage(), e);
      } finally {
        signal.done();
      }
      return 0;
    } catch (StartupException e) {
      return e.report(err);
    }
  }

  /** Opens the store and, on a new cluster, commits the bootstrap config into it. */
  private ConfigStore openStore(String replica, Config bootstrap, PrintWriter err)
      throws StartupException {
    ConfigStore store;
    try {
      store = connect(replica);
    } catch (StoreException e) {
      throw StartupException.failed(e.getMessage(), e);
    }
    if (bootstrap != null) {
      try {
        bootstrap(store, bootstrap, err);
      } catch (StoreException e) {
        store.close();
        throw StartupException.failed("--bootstrap-config: " + e.getMessage(), e);
      }
    }
    return store;
  }

  private ConfigStore connect(String replica) throws StoreException {
    if (etcd == null || etcd.isEmpty()) {
      return FileConfigStore.open(dataDir, Clock.systemUTC());
    }
    return EtcdConfigStore.connect(
        EtcdStoreSettings.defaults(etcd, replica).withPrefix(etcdPrefix));
  }

  /** Commits the bootstrap config into an empty store; another replica may win the race. */
  private void bootstrap(ConfigStore store, Config config, PrintWriter err) throws StoreException {
    if (store.read().version() != 0) {
      return;
    }
    try {
      long version =
          store.commit(
              0,
              config,
              "bootstrap:" + bootstrapConfig.toAbsolutePath(),
              "bootstrap from " + bootstrapConfig.getFileName() + ": " + ConfigSummary.of(config));
      err.println("bootstrapped version " + version + " from " + bootstrapConfig);
    } catch (StaleVersionException e) {
      // Another replica bootstrapped first: its version stands.
    }
  }

  private static ControlPlaneServer startOrClose(
      ControlPlaneServer.Builder builder, ConfigStore store) throws IOException {
    try {
      return builder.start();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "wharf-control-plane " + BuildInfo.version(ControlPlaneMain.class), BuildInfo.runtime()
      };
    }
  }
}
