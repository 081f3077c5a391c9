package dev.wharf.dataplane.testing;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.admin.AdminServer;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.testkit.FreePorts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A data-plane node running in the test JVM, on loopback ports, for end-to-end tests: one event
 * loop unless told otherwise, a meter registry the test can read, and, when asked for, the admin
 * server on an ephemeral port.
 *
 * <p>Listener ports: the config validator accepts 1 to 65535 only, so a listener cannot bind port
 * 0. A config is therefore written by a function of {@link Ports}; when a port it was given is
 * taken before the node binds it, the node changes nothing ({@link DataPlaneNode#apply} is all or
 * nothing) and the config is written again with fresh ports. {@link #address} reports the bound
 * ones.
 *
 * <p>{@link #close} is idempotent and fails the test, rather than hanging it, when the node does
 * not stop within {@link #CLOSE_BOUND}. Threading: as {@link DataPlaneNode}.
 */
public final class TestNode implements AutoCloseable {
  /** How long {@link #close} may take; the node's own shutdown waits are 5 s each. */
  public static final Duration CLOSE_BOUND = Duration.ofSeconds(30);

  /** Fresh free loopback ports for one config, distinct from each other. */
  @FunctionalInterface
  public interface Ports extends FreePorts.Ports {}

  private final DataPlaneNode node;
  private final MeterRegistry registry;
  private final AdminServer admin;
  private boolean closed;

  private TestNode(DataPlaneNode node, MeterRegistry registry, AdminServer admin) {
    this.node = node;
    this.registry = registry;
    this.admin = admin;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A node with the defaults serving {@code config}, written with fresh ports. */
  public static TestNode start(Function<Ports, String> config)
      throws ConfigException, ListenerBindException {
    return builder().start(config);
  }

  /** The node itself, for what this class does not wrap (drain, snapshot, config sinks). */
  public DataPlaneNode node() {
    return node;
  }

  /** Where the node's metrics go. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The bound address of {@code listener}; AssertionError when it is not bound. */
  public InetSocketAddress address(String listener) {
    InetSocketAddress address = node.address(listener);
    if (address == null) {
      throw new AssertionError("listener " + listener + " is not bound");
    }
    return address;
  }

  /** {@code http://127.0.0.1:PORT} of {@code listener}, then {@code pathAndQuery}. */
  public URI uri(String listener, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + address(listener).getPort() + pathAndQuery);
  }

  /** {@code ws://127.0.0.1:PORT} of {@code listener}, then {@code pathAndQuery}. */
  public URI wsUri(String listener, String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + address(listener).getPort() + pathAndQuery);
  }

  /** The admin server's address; only for a node built with {@link Builder#admin()}. */
  public InetSocketAddress adminAddress() {
    if (admin == null) {
      throw new IllegalStateException("built without admin()");
    }
    return admin.address();
  }

  /** {@code http://127.0.0.1:ADMIN_PORT}, then {@code path}. */
  public URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + adminAddress().getPort() + path);
  }

  /** Applies {@code yaml} as the next version; the ports it names are used as they are. */
  public void apply(String yaml) throws ConfigException, ListenerBindException {
    node.apply(ConfigDocuments.load(yaml, "test"));
  }

  public void apply(Config config) throws ConfigException, ListenerBindException {
    node.apply(config);
  }

  /**
   * Applies the config {@code yaml} writes with fresh ports; when one was taken in the meantime,
   * writes it again with others.
   */
  public void apply(Function<Ports, String> yaml) throws ConfigException, ListenerBindException {
    try {
      FreePorts.retryWhenTaken(
          ports -> {
            apply(yaml.apply(ports::next));
            return null;
          });
    } catch (ConfigException | ListenerBindException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes the node (and its admin server); bounded, and a no-op the second time. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(
            () -> {
              if (admin != null) {
                admin.close();
              }
              node.close();
            },
            r -> {
              Thread t = new Thread(r, "test-node-close");
              t.setDaemon(true);
              t.start();
            });
    try {
      stopped.get(CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the node did not close within " + CLOSE_BOUND);
    } catch (ExecutionException e) {
      throw new AssertionError("closing the node failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted closing the node", e);
    }
  }

  /** A node's settings; unset ones are {@link DataPlaneNode.Builder}'s, but one worker. */
  public static final class Builder {
    private final DataPlaneNode.Builder node = DataPlaneNode.builder().workers(1);
    private MeterRegistry registry;
    private boolean admin;

    private Builder() {}

    public Builder workers(int n) {
      node.workers(n);
      return this;
    }

    /** The socket transport (default: the process's, {@link Transport#best()}). */
    public Builder transport(Transport t) {
      node.transport(t);
      return this;
    }

    public Builder clock(Clock c) {
      node.clock(c);
      return this;
    }

    public Builder ticker(Ticker t) {
      node.ticker(t);
      return this;
    }

    public Builder hostname(String h) {
      node.hostname(h);
      return this;
    }

    public Builder files(Executor e) {
      node.files(e);
      return this;
    }

    public Builder passwords(Executor e) {
      node.passwords(e);
      return this;
    }

    /** Where the metrics go (default: a new simple registry, Prometheus with admin()). */
    public Builder registry(MeterRegistry r) {
      registry = r;
      return this;
    }

    /** Also serve the admin API on an ephemeral loopback port ({@link #adminAddress}). */
    public Builder admin() {
      admin = true;
      return this;
    }

    /** A node with no config yet: nothing listens until one is applied. */
    public TestNode build() {
      if (registry == null) {
        registry =
            admin
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new SimpleMeterRegistry();
      }
      if (admin && !(registry instanceof PrometheusMeterRegistry)) {
        throw new IllegalStateException("admin() serves /metrics from a Prometheus registry");
      }
      DataPlaneNode built = node.metrics(new ProxyMetrics(registry)).build();
      AdminServer server = null;
      if (admin) {
        try {
          server =
              AdminServer.start(
                  Transport.best(),
                  new InetSocketAddress("127.0.0.1", 0),
                  (PrometheusMeterRegistry) registry,
                  built);
        } catch (IOException e) {
          built.close();
          throw new IllegalStateException(e);
        }
      }
      return new TestNode(built, registry, server);
    }

    /** A node serving the config {@code yaml} writes with fresh ports. */
    public TestNode start(Function<Ports, String> yaml)
        throws ConfigException, ListenerBindException {
      return startWith(started -> started.apply(yaml));
    }

    /** A node serving {@code config}, whose ports are used as they are. */
    public TestNode start(Config config) throws ConfigException, ListenerBindException {
      return startWith(started -> started.apply(config));
    }

    private TestNode startWith(FirstConfig first) throws ConfigException, ListenerBindException {
      TestNode started = build();
      try {
        first.applyTo(started);
      } catch (ConfigException | ListenerBindException | RuntimeException e) {
        started.close();
        throw e;
      }
      return started;
    }
  }

  private interface FirstConfig {
    void applyTo(TestNode node) throws ConfigException, ListenerBindException;
  }
}
