package dev.wharf.dataplane;

import dev.wharf.common.ProcessMeters;
import dev.wharf.common.ShutdownSignal;
import dev.wharf.config.Addresses;
import dev.wharf.config.ConfigSummary;
import dev.wharf.config.DurationFlags;
import dev.wharf.dataplane.admin.AdminServer;
import dev.wharf.dataplane.discovery.ChannelFactory;
import dev.wharf.dataplane.discovery.ConfigSink;
import dev.wharf.dataplane.discovery.DiscoveryClient;
import dev.wharf.dataplane.discovery.DiscoveryEvents;
import dev.wharf.dataplane.discovery.ListenerPorts;
import dev.wharf.dataplane.discovery.SnapshotFile;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.dataplane.server.NodeDrain;
import dev.wharf.launch.Startup;
import dev.wharf.launch.StartupException;
import dev.wharf.proto.config.v1.Config;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of a data-plane node. It takes its config either from a local file ({@code --config},
 * re-read when it changes) or from control-plane replicas ({@code --control-plane}, pushed over a
 * gRPC stream and saved to {@code --state-dir} so a restart without any control plane serves the
 * last good one). It serves until SIGTERM or SIGINT, then stops taking config, closes its listeners
 * and stops.
 */
@Command(
    name = "wharf-data-plane",
    mixinStandardHelpOptions = true,
    versionProvider = DataPlaneVersion.class,
    description = "A Wharf data-plane node: give it --config FILE or --control-plane HOST:PORT.",
    footer = {
      "",
      "Examples:",
      "  java -jar wharf-data-plane.jar --config deploy/examples/demo.yaml",
      "  java -jar wharf-data-plane.jar --control-plane cp1:7000,cp2:7000 --label zone=a"
    })
public final class DataPlaneMain implements Callable<Integer> {
  private static final String MODES =
      "give either --config FILE (serve a local config file) "
          + "or --control-plane HOST:PORT[,HOST:PORT...] (take config from the control plane)";
  private static final List<String> CONTROL_PLANE_ONLY =
      List.of("--node-id", "--label", "--state-dir", "--token-file", "--tls-ca", "--listener-port");

  @Spec private CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Config document (YAML or JSON); re-read whenever it changes.")
  private Path config;

  @Option(
      names = "--control-plane",
      split = ",",
      paramLabel = "HOST:PORT",
      description =
          "Control-plane replicas, comma-separated; the node keeps one stream to one "
              + "of them and fails over to the next.")
  private List<String> controlPlanes;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description = "This node's name towards the control plane (default: the host name).")
  private String nodeId;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "A label sent to the control plane (repeatable).")
  private Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Where the last acknowledged snapshot is kept (default: ${DEFAULT-VALUE}).")
  private Path stateDir = Path.of("wharf-node-state");

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Bearer token sent to the control plane, read from this file.")
  private Path tokenFile;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "Talk TLS to the control plane, trusting the CA certificates in this PEM "
              + "file (default: plaintext).")
  private Path tlsCa;

  @Option(
      names = "--listener-port",
      paramLabel = "NAME=PORT",
      description =
          "Bind listener NAME on PORT instead of the config's port: for several "
              + "nodes on one host. Repeatable; only with --control-plane.")
  private Map<String, Integer> listenerPorts = new LinkedHashMap<>();

  @Option(
      names = "--drain-grace",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationFlags.NonNegative.class,
      description =
          "On SIGTERM or a drain request: how long the node keeps accepting after "
              + "/readyz turned 503 (default: ${DEFAULT-VALUE}).")
  private Duration drainGrace;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationFlags.NonNegative.class,
      description =
          "Hard bound of a drain, grace included; what is still open then is closed "
              + "(default: ${DEFAULT-VALUE}).")
  private Duration drainTimeout;

  @Option(
      names = "--control-plane-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationFlags.NonNegative.class,
      description =
          "Give up a control-plane replica heard from not at all (not even a heartbeat) for this "
              + "long and move to the next; 0 turns this off (default: ${DEFAULT-VALUE}).")
  private Duration controlPlaneTimeout;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Event-loop threads (default: number of cores).")
  private int workers = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description =
          "Admin endpoint: /metrics, /healthz, /readyz, /config "
              + "(default: ${DEFAULT-VALUE}; port 0 picks a free one).")
  private String admin = "127.0.0.1:9901";

  @Option(names = "--check", description = "Only check the config file, then exit.")
  private boolean checkOnly;

  @Mixin private TransportOption transport;

  public static void main(String[] args) {
    Startup.nettyDefaults(System.getProperties());
    System.exit(new CommandLine(new DataPlaneMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    checkModes();
    return config != null ? serveFile() : serveControlPlane();
  }

  /** Exactly one source of config; options of the other mode are mistakes, not ignored. */
  private void checkModes() {
    if ((config == null) == (controlPlanes == null)) {
      throw new ParameterException(
          spec.commandLine(), "error: " + MODES + (config == null ? "" : ", not both"));
    }
    if (drainTimeout.compareTo(drainGrace) < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "error: --drain-timeout "
              + drainTimeout
              + " is shorter than --drain-grace "
              + drainGrace);
    }
    var parsed = spec.commandLine().getParseResult();
    if (config != null) {
      for (String option : CONTROL_PLANE_ONLY) {
        if (parsed.hasMatchedOption(option)) {
          throw new ParameterException(
              spec.commandLine(), "error: " + option + " only applies with --control-plane");
        }
      }
      return;
    }
    if (checkOnly) {
      throw new ParameterException(spec.commandLine(), "error: --check needs --config");
    }
    listenerPorts.forEach(
        (name, port) -> {
          if (port < 1 || port > 65535) {
            throw new ParameterException(
                spec.commandLine(),
                "error: --listener-port " + name + "=" + port + " (expected: a port 1-65535)");
          }
        });
    for (String target : controlPlanes) {
      try {
        Addresses.parseHostPort(target);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "error: --control-plane: " + e.getMessage());
      }
    }
  }

  private Integer serveFile() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config loaded;
    try {
      loaded = Startup.loadConfig(null, config);
    } catch (StartupException e) {
      return e.report(err);
    }
    out.println(config + ": valid (" + ConfigSummary.of(loaded) + ")");
    if (checkOnly) {
      return 0;
    }
    InetSocketAddress adminAddress = adminAddress();
    ShutdownSignal signal = ShutdownSignal.install(drainTimeout.plusSeconds(10));
    try (NodeMeterRegistry registry = registry();
        DataPlaneNode node = node(registry, workers, Startup.hostname());
        ConfigFileSource source = new ConfigFileSource(config, node)) {
      try {
        node.apply(loaded);
      } catch (ListenerBindException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      AdminServer adminServer;
      try {
        adminServer = startAdmin(adminAddress, registry, node);
      } catch (StartupException e) {
        return e.report(err);
      }
      out.println("admin: " + Startup.hostPort(adminServer.address()));
      for (var l : loaded.getListenersList()) {
        out.println(
            "listening: " + l.getName() + " on " + Startup.hostPort(node.address(l.getName())));
      }
      out.flush();
      source.watch();
      signal.await();
      source.close(); // no config changes while draining
      drain(node);
      adminServer.close();
    } finally {
      signal.done();
    }
    return 0;
  }

  /**
   * Listeners come with the first snapshot (from the state directory or a control plane), so
   * instead of {@code listening:} lines each applied version is printed with its listeners.
   */
  private Integer serveControlPlane() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String id = nodeId != null ? nodeId : Startup.hostname();
    ChannelFactory channels;
    String token = null;
    try {
      channels = tlsCa == null ? ChannelFactory.plaintext() : ChannelFactory.tls(tlsCa);
      if (tokenFile != null) {
        token = Files.readString(tokenFile).strip();
        if (token.isEmpty()) {
          err.println("error: --token-file " + tokenFile + " is empty");
          return 1;
        }
      }
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    if (token != null && tlsCa == null) {
      err.println("warning: the token goes to the control plane in plaintext (no --tls-ca)");
    }
    InetSocketAddress adminAddress = adminAddress();
    ShutdownSignal signal = ShutdownSignal.install(drainTimeout.plusSeconds(10));
    try (NodeMeterRegistry registry = registry();
        DataPlaneNode node = node(registry, workers, Startup.hostname())) {
      DiscoveryClient.Builder client =
          DiscoveryClient.builder()
              .nodeId(id)
              .labels(labels)
              .targets(controlPlanes)
              .controlPlaneTimeout(controlPlaneTimeout)
              .channelFactory(channels)
              .sink(ListenerPorts.override(ConfigSink.of(node), listenerPorts))
              .snapshotFile(SnapshotFile.in(stateDir))
              .meterRegistry(registry)
              .events(new PrintApplied(out, node))
              .events(
                  new DiscoveryEvents() {
                    @Override
                    public void drainRequested(String requestedBy) {
                      out.println("drain requested by " + requestedBy + ": stopping");
                      out.flush();
                      signal.trigger();
                    }
                  });
      if (token != null) {
        client.token(token);
      }
      AdminServer adminServer;
      try {
        adminServer = startAdmin(adminAddress, registry, node);
      } catch (StartupException e) {
        return e.report(err);
      }
      out.println("admin: " + Startup.hostPort(adminServer.address()));
      out.println("node " + id + ": control plane at " + String.join(",", controlPlanes));
      out.flush();
      try (DiscoveryClient discovery = client.build()) {
        discovery.start();
        signal.await();
        drain(node); // the stream reports its progress; no config is applied while draining
      }
      adminServer.close();
    } finally {
      signal.done();
    }
    return 0;
  }

  // --- the node's wiring, shared with standalone (which runs a node beside the control plane) ---

  /**
   * The registry a node's /metrics serves: its own meters, build info, and the JVM's and the
   * process's ({@link ProcessMeters}); closed after the node, when the node stops.
   */
  public static NodeMeterRegistry registry() {
    return NodeMeterRegistry.of(DataPlaneMain.class);
  }

  /** A node with no config yet, its meters in {@code registry}, reopening its logs on SIGUSR1. */
  public static DataPlaneNode node(PrometheusMeterRegistry registry, int workers, String hostname) {
    return LogReopenSignal.install(
        DataPlaneNode.builder()
            .transport(Transport.best())
            .workers(workers)
            .hostname(hostname)
            .metrics(new ProxyMetrics(registry))
            .build());
  }

  /** Starts the admin port (/metrics, /healthz, /readyz, /config); a port in use stops a start. */
  public static AdminServer startAdmin(
      InetSocketAddress address, PrometheusMeterRegistry registry, DataPlaneNode node)
      throws StartupException {
    try {
      return AdminServer.start(Transport.best(), address, registry, node);
    } catch (IOException e) {
      throw StartupException.failed(e.getMessage(), e);
    }
  }

  /** Readiness off, grace, stop accepting, go away, wait: see {@link NodeDrain}. */
  private void drain(DataPlaneNode node) {
    NodeDrain.run(node, new NodeDrain.Settings(drainGrace, drainTimeout), System::nanoTime);
  }

  private InetSocketAddress adminAddress() {
    try {
      return Addresses.bindAddress(admin);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "error: --admin: " + e.getMessage());
    }
  }
}
