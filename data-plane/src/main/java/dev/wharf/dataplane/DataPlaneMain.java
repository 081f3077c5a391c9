package dev.wharf.dataplane;

import dev.wharf.common.BuildInfo;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigSummary;
import dev.wharf.config.Addresses;
import dev.wharf.dataplane.admin.AdminServer;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.dataplane.server.Transport;
import dev.wharf.proto.config.v1.Config;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintWriter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Entry point of a data-plane node running from a local config file (until the control plane
 * pushes snapshots). It serves until SIGTERM or SIGINT, then closes its listeners and stops.
 */
@Command(
    name = "wharf-data-plane",
    mixinStandardHelpOptions = true,
    versionProvider = DataPlaneMain.Version.class,
    description = "A Wharf data-plane node.",
    footer = {"", "Example:",
        "  java -jar wharf-data-plane.jar --config deploy/examples/demo.yaml"})
public final class DataPlaneMain implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Config document (YAML or JSON); re-read whenever it changes.")
  private Path config;

  @Option(names = "--workers", paramLabel = "N",
      description = "Event-loop threads (default: number of cores).")
  private int workers = Runtime.getRuntime().availableProcessors();

  @Option(names = "--admin", paramLabel = "HOST:PORT",
      description = "Admin endpoint: /metrics, /healthz, /readyz, /config "
          + "(default: ${DEFAULT-VALUE}; port 0 picks a free one).")
  private String admin = "127.0.0.1:9901";

  @Option(names = "--check", description = "Only check the config, then exit.")
  private boolean checkOnly;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DataPlaneMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config loaded;
    try {
      loaded = ConfigDocuments.load(config);
    } catch (IOException e) {
      err.println("error: cannot read " + config + ": " + e);
      return 1;
    } catch (ConfigException e) {
      err.println(config + ": " + e.errors().size() + " error(s)");
      for (ConfigError error : e.errors()) {
        err.println("  " + error);
      }
      return 1;
    }
    out.println(config + ": valid (" + ConfigSummary.of(loaded) + ")");
    if (checkOnly) {
      return 0;
    }
    InetSocketAddress adminAddress;
    try {
      adminAddress = adminAddress(admin);
    } catch (IllegalArgumentException e) {
      err.println("error: --admin: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // On SIGTERM the JVM runs this hook and exits when it returns, so the hook waits until the
    // main thread has closed the node.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopped.countDown();
      awaitQuietly(closed);
    }, "wharf-shutdown"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    try (DataPlaneNode node = DataPlaneNode.builder()
            .transport(Transport.best())
            .workers(workers)
            .hostname(hostname())
            .metrics(new ProxyMetrics(registry))
            .build();
        ConfigFileSource source = new ConfigFileSource(config, node)) {
      try {
        node.apply(loaded);
      } catch (ListenerBindException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      AdminServer adminServer;
      try {
        adminServer = AdminServer.start(Transport.best(), adminAddress, registry, node);
      } catch (IOException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      out.println("admin: " + adminServer.address().getHostString() + ":"
          + adminServer.address().getPort());
      for (var l : loaded.getListenersList()) {
        var bound = node.address(l.getName());
        out.println("listening: " + l.getName() + " on " + bound.getHostString() + ":"
            + bound.getPort());
      }
      out.flush();
      source.watch();
      stopped.await();
      adminServer.close();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /** {@code host:port}; port 0 picks a free port. */
  private static InetSocketAddress adminAddress(String text) {
    if (text.endsWith(":0")) {
      Addresses.HostPort hp = Addresses.parseHostPort(text.substring(0, text.length() - 1) + "1");
      return new InetSocketAddress(hp.host(), 0);
    }
    Addresses.HostPort hp = Addresses.parseHostPort(text);
    return new InetSocketAddress(hp.host(), hp.port());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Also tells which Netty transport the node would use, so a broken native jar shows up. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String transport = Epoll.isAvailable()
          ? "epoll (native)"
          : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
      return new String[] {
          "wharf-data-plane " + BuildInfo.version(DataPlaneMain.class),
          BuildInfo.runtime(),
          "Netty transport: " + transport};
    }
  }
}
