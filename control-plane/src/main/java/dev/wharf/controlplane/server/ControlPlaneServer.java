package dev.wharf.controlplane.server;

import dev.wharf.controlplane.discovery.DiscoveryService;
import dev.wharf.controlplane.discovery.PeerAddress;
import dev.wharf.controlplane.store.ConfigStore;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control-plane replica: watches the store, validates and pushes each version to the nodes
 * connected to it, and records their status in the store.
 *
 * <p>Shutdown order ({@link #close()}):
 * <ol>
 *   <li>stop watching the store (config and drain requests), so nothing new is pushed;
 *   <li>stop accepting streams;
 *   <li>end every node stream with UNAVAILABLE, so nodes fail over to another replica now
 *       instead of when their keep-alive notices;
 *   <li>wait (bounded) for the gRPC server to finish;
 *   <li>flush node statuses (bounded), then close the store, which in etcd revokes this
 *       replica's lease: the statuses it wrote disappear, those written by the replicas the
 *       nodes moved to stay.
 * </ol>
 */
public final class ControlPlaneServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneServer.class);

  private final ConfigStore store;
  private final DiscoveryService discovery;
  private final NodeStatusWriter statuses;
  private final ConfigStore.Subscription watch;
  private final ConfigStore.Subscription drains;
  private final Server server;
  private final Duration shutdownGrace;

  private ControlPlaneServer(Builder b, Server server, DiscoveryService discovery,
      NodeStatusWriter statuses) throws IOException {
    this.store = b.store;
    this.discovery = discovery;
    this.statuses = statuses;
    this.server = server;
    this.shutdownGrace = b.shutdownGrace;
    server.start();
    this.watch = store.watch(discovery::publish);
    this.drains = store.nodes().watchDrains(discovery::drain);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address nodes connect to; null when serving in-process. */
  public InetSocketAddress address() {
    return server.getListenSockets().stream()
        .filter(InetSocketAddress.class::isInstance)
        .map(InetSocketAddress.class::cast)
        .findFirst().orElse(null);
  }

  public DiscoveryService discovery() {
    return discovery;
  }

  public ConfigStore store() {
    return store;
  }

  @Override
  public void close() {
    watch.close();
    drains.close();
    server.shutdown();
    discovery.closeAll(Status.UNAVAILABLE.withDescription("control-plane replica shutting down"));
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow().awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    statuses.close(shutdownGrace);
    store.close();
    log.info("control-plane replica stopped");
  }

  /** How to build a replica; {@link #store}, {@link #replicaId} and an address are required. */
  public static final class Builder {
    private ConfigStore store;
    private String replicaId;
    private InetSocketAddress listen;
    private String inProcessName;
    private MeterRegistry registry;
    private Clock clock = Clock.systemUTC();
    private BearerTokens tokens;
    private Path tlsCert;
    private Path tlsKey;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration statusRetry = Duration.ofSeconds(1);
    private final List<BindableService> extraServices = new ArrayList<>();

    private Builder() {}

    public Builder store(ConfigStore s) {
      store = Objects.requireNonNull(s, "store");
      return this;
    }

    public Builder replicaId(String id) {
      replicaId = Objects.requireNonNull(id, "replicaId");
      return this;
    }

    /** Serves on a TCP address (port 0 picks a free port). */
    public Builder listen(InetSocketAddress address) {
      listen = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Serves in-process only, under {@code name}: for standalone mode and tests. */
    public Builder inProcess(String name) {
      inProcessName = Objects.requireNonNull(name, "name");
      return this;
    }

    public Builder registry(MeterRegistry r) {
      registry = Objects.requireNonNull(r, "registry");
      return this;
    }

    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Requires one of these tokens on every call; without it the replica is open. */
    public Builder tokens(BearerTokens t) {
      tokens = t;
      return this;
    }

    /** Serves TLS with this certificate chain and private key (PEM files). */
    public Builder tls(Path cert, Path key) {
      tlsCert = Objects.requireNonNull(cert, "cert");
      tlsKey = Objects.requireNonNull(key, "key");
      return this;
    }

    public Builder shutdownGrace(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace: " + d + " (expected: >= 0)");
      }
      shutdownGrace = d;
      return this;
    }

    public Builder statusRetry(Duration d) {
      statusRetry = Objects.requireNonNull(d, "statusRetry");
      return this;
    }

    /** Another gRPC service served beside discovery (the Admin API). */
    public Builder addService(BindableService s) {
      extraServices.add(Objects.requireNonNull(s, "service"));
      return this;
    }

    /** Starts serving; the store's current version is pushed as soon as the store has it. */
    public ControlPlaneServer start() throws IOException {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(replicaId, "replicaId");
      Objects.requireNonNull(registry, "registry");
      if ((listen == null) == (inProcessName == null)) {
        throw new IllegalStateException("give exactly one of listen(address) and inProcess(name)");
      }
      NodeStatusWriter statuses = new NodeStatusWriter(store.nodes(), statusRetry);
      DiscoveryService discovery =
          new DiscoveryService(replicaId, registry, statuses, clock, System::nanoTime);
      ServerBuilder<?> sb = listen != null ? netty() : InProcessServerBuilder.forName(inProcessName);
      List<ServerInterceptor> interceptors = new ArrayList<>();
      interceptors.add(new PeerAddress());
      if (tokens != null) {
        interceptors.add(tokens);
      }
      // Interceptors run last-added first: the token check comes before anything else.
      sb.addService(ServerInterceptors.intercept(discovery, interceptors));
      for (BindableService s : extraServices) {
        sb.addService(ServerInterceptors.intercept(s, interceptors));
      }
      return new ControlPlaneServer(this, sb.build(), discovery, statuses);
    }

    private ServerBuilder<?> netty() throws IOException {
      NettyServerBuilder nb = NettyServerBuilder.forAddress(listen)
          // Nodes ping every 30 s to notice a dead replica; let them.
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true);
      if (tlsCert != null) {
        try {
          nb.sslContext(GrpcSslContexts.forServer(tlsCert.toFile(), tlsKey.toFile()).build());
        } catch (IllegalArgumentException e) {
          throw new IOException("TLS certificate " + tlsCert + " or key " + tlsKey + ": "
              + e.getMessage(), e);
        }
      }
      return nb;
    }
  }
}
