package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.controlplane.admin.ServerFacts;
import dev.wharf.controlplane.admin.Watches;
import dev.wharf.controlplane.discovery.DiscoveryService;
import dev.wharf.controlplane.discovery.DiscoveryState;
import dev.wharf.controlplane.discovery.LivenessSettings;
import dev.wharf.controlplane.discovery.PeerAddress;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.VersionedConfig;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
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
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control-plane replica: watches the store, validates and pushes each version to the nodes
 * connected to it, records their status in the store, and serves the Admin API ({@link
 * AdminService}) on the same port. Every call is authenticated first ({@link Authenticator}):
 * tokens ({@link AccessTokens}) and client certificates ({@link ClientCertificates}) carry roles;
 * without either the replica serves loopback callers only and refuses to listen anywhere else.
 *
 * <p>Shutdown order ({@link #close()}):
 *
 * <ol>
 *   <li>stop the heartbeats and rebalancing ({@link LivenessTasks});
 *   <li>stop watching the store (config and drain requests), so nothing new is pushed, and end the
 *       Admin {@code Watch} streams with UNAVAILABLE and the HTTP/JSON face;
 *   <li>stop accepting streams;
 *   <li>end every node stream with UNAVAILABLE, so nodes fail over to another replica now instead
 *       of when their keep-alive notices;
 *   <li>wait (bounded) for the gRPC server to finish;
 *   <li>flush node statuses (bounded), then close the store, which in etcd revokes this replica's
 *       lease: the statuses it wrote disappear, those written by the replicas the nodes moved to
 *       stay.
 * </ol>
 */
public final class ControlPlaneServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneServer.class);

  private final ConfigStore store;
  private final DiscoveryState discovery;
  private final NodeStatusWriter statuses;
  private final ConfigStore.Subscription watch;
  private final ConfigStore.Subscription drains;
  private final NodeRecordsWriter records;
  private final ConfigStore.Subscription retries;

  /** The TCP server, the in-process one, or both (standalone). */
  private final List<Server> servers;

  private final Duration shutdownGrace;

  /** The Admin API's HTTP/JSON face; null unless {@link Builder#adminHttp} was given. */
  private final AdminHttpEndpoint adminHttp;

  private final Watches watches;
  private final LivenessTasks liveness;

  private ControlPlaneServer(
      Builder b,
      List<Server> servers,
      DiscoveryState discovery,
      NodeStatusWriter statuses,
      NodeRecordsWriter records,
      AdminFaces faces)
      throws IOException {
    this.records = records;
    this.store = b.store;
    this.discovery = discovery;
    this.statuses = statuses;
    this.servers = List.copyOf(servers);
    this.shutdownGrace = b.shutdownGrace;
    this.watches = faces.watches();
    List<Server> started = new ArrayList<>();
    try {
      for (Server s : servers) {
        started.add(s.start());
      }
      this.adminHttp =
          b.adminHttp == null
              ? null
              : faces.startHttp(b.adminHttp, b.tlsCert, b.tlsKey, b.clientCertificates);
    } catch (IOException | RuntimeException e) {
      started.forEach(Server::shutdownNow);
      watches.close();
      throw e;
    }
    this.watch = store.watch(this::publish);
    this.drains = store.nodes().watchDrains(discovery::drain);
    this.liveness =
        new LivenessTasks(discovery, store, b.replicaId, b.liveness, RandomGenerator.getDefault());
    liveness.start();
    this.retries = store.nodeRecords().watchRetries((node, v) -> discovery.retry(node, v));
  }

  /**
   * An empty store (version 0: nothing was ever applied) is a normal state, not a version: it is
   * said once and never handed to {@link DiscoveryState#publish}, whose versions start at 1.
   */
  private void publish(VersionedConfig config) {
    if (config.version() == 0) {
      log.info(
          "no config yet: the store is empty, so nodes get nothing to serve until one is applied"
              + " (wharfctl apply -f FILE, or start a replica with --bootstrap-config FILE)");
      return;
    }
    discovery.publish(config);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The TCP address nodes and Admin clients connect to; null when serving in-process only. */
  public InetSocketAddress address() {
    return servers.stream()
        .flatMap(s -> s.getListenSockets().stream())
        .filter(InetSocketAddress.class::isInstance)
        .map(InetSocketAddress.class::cast)
        .findFirst()
        .orElse(null);
  }

  /** The address of the Admin API's HTTP/JSON face; null when it is not served. */
  public InetSocketAddress adminHttpAddress() {
    return adminHttp == null ? null : adminHttp.address();
  }

  /** The Admin API's open {@code Watch} streams. */
  public Watches watches() {
    return watches;
  }

  /** What this replica pushes, and the nodes connected to it. */
  public DiscoveryState discovery() {
    return discovery;
  }

  public ConfigStore store() {
    return store;
  }

  @Override
  public void close() {
    liveness.close();
    watch.close();
    drains.close();
    retries.close();
    watches.close();
    if (adminHttp != null) {
      adminHttp.close();
    }
    servers.forEach(Server::shutdown);
    discovery.disconnectAll("control-plane replica shutting down");
    try {
      long deadline = System.nanoTime() + shutdownGrace.toNanos();
      for (Server server : servers) {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!server.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          server.shutdownNow().awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      servers.forEach(Server::shutdownNow);
      Thread.currentThread().interrupt();
    }
    statuses.close(shutdownGrace);
    records.close();
    store.close();
    log.info("control-plane replica stopped");
  }

  /**
   * How to build a replica; {@link #store}, {@link #replicaId}, {@link #registry} and an address
   * ({@link #listen}, {@link #inProcess} or both) are required.
   */
  public static final class Builder {
    private ConfigStore store;
    private String replicaId;
    private InetSocketAddress listen;
    private String inProcessName;
    private MeterRegistry registry;
    private Clock clock = Clock.systemUTC();
    private AccessTokens tokens;
    private ClientCertificates clientCertificates;
    private Path tlsCert;
    private Path tlsKey;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration statusRetry = Duration.ofSeconds(1);
    private final List<BindableService> extraServices = new ArrayList<>();
    private InetSocketAddress adminHttp;
    private Duration watchNodePoll = Duration.ofSeconds(1);
    private LivenessSettings liveness = LivenessSettings.DEFAULTS;
    private Duration nodeMemory = Duration.ofMinutes(10);

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

    /**
     * Serves in-process, under {@code name}: for standalone mode and tests. With {@link #listen}
     * too, the same services are also served on TCP.
     */
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

    /**
     * Accepts these tokens, each with its role. Without tokens and without {@link
     * #clientCertificates} only loopback (and in-process) callers are served, and {@link #listen}
     * must be a loopback address.
     */
    public Builder tokens(AccessTokens t) {
      tokens = t;
      return this;
    }

    /** Accepts client certificates issued by this CA (needs {@link #tls}). */
    public Builder clientCertificates(ClientCertificates c) {
      clientCertificates = c;
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

    /**
     * Also serves the Admin API as HTTP/JSON on this address (port 0 picks a free port), with the
     * same credentials and roles; HTTPS when {@link #tls} is given.
     */
    public Builder adminHttp(InetSocketAddress address) {
      adminHttp = Objects.requireNonNull(address, "address");
      return this;
    }

    /** How often Admin {@code Watch} streams that ask for nodes list the fleet (default 1 s). */
    public Builder watchNodePoll(Duration d) {
      watchNodePoll = Objects.requireNonNull(d, "watchNodePoll");
      return this;
    }

    /**
     * Heartbeats to the nodes, their timeout, and rebalancing (default {@link
     * LivenessSettings#DEFAULTS}).
     */
    public Builder liveness(LivenessSettings settings) {
      liveness = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * How long a node whose stream ended (or whose replica vanished) stays listed, as disconnected
     * or unknown with its last version (default 10 minutes).
     */
    public Builder nodeMemory(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("nodeMemory: " + d + " (expected: > 0)");
      }
      nodeMemory = d;
      return this;
    }

    /** Another gRPC service served beside discovery and the Admin API, behind the same checks. */
    public Builder addService(BindableService s) {
      extraServices.add(Objects.requireNonNull(s, "service"));
      return this;
    }

    /**
     * Starts serving; the store's current version is pushed as soon as the store has it.
     *
     * @throws IllegalStateException when the replica would listen on a non-loopback address without
     *     tokens or client certificates, or client certificates are asked for without TLS
     */
    public ControlPlaneServer start() throws IOException {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(replicaId, "replicaId");
      Objects.requireNonNull(registry, "registry");
      if (listen == null && inProcessName == null) {
        throw new IllegalStateException("give listen(address), inProcess(name) or both");
      }
      if (clientCertificates != null && tlsCert == null) {
        throw new IllegalStateException("client certificates need TLS: give tls(cert, key)");
      }
      InetSocketAddress exposed =
          listen != null && !isLoopback(listen)
              ? listen
              : adminHttp != null && !isLoopback(adminHttp) ? adminHttp : null;
      if (tokens == null && clientCertificates == null && exposed != null) {
        throw new IllegalStateException(
            "listen address "
                + exposed
                + " is not a loopback "
                + "address: without tokens or client certificates only callers on this host may be "
                + "served; configure credentials or listen on 127.0.0.1");
      }
      new StoreMetrics(store).bindTo(registry);
      NodeRecordsWriter records =
          new NodeRecordsWriter(
              store.nodeRecords(), nodeMemory, NodeRecordsWriter.refreshFor(nodeMemory), clock);
      NodeStatusWriter statuses =
          new NodeStatusWriter(new RecordedStatuses(store.nodes(), records), statusRetry);
      DiscoveryState discovery =
          new DiscoveryState(replicaId, registry, statuses, clock, System::nanoTime);
      discovery.liveness(liveness);
      List<BindableService> services = new ArrayList<>();
      services.add(new DiscoveryService(discovery));
      List<ServerBuilder<?>> builders = // may throw: before Watches starts
          GrpcPorts.builders(listen, inProcessName, tlsCert, tlsKey, clientCertificates);
      AdminFaces faces =
          new AdminFaces(
              new AdminService(store, new ServerFacts(replicaId, store.kind(), clock.instant())),
              new Authenticator(tokens, clientCertificates),
              new Watches(store, watchNodePoll));
      services.add(faces::bindAdmin);
      services.add(ProtoReflectionServiceV1.newInstance());
      services.addAll(extraServices);
      // Interceptors run last-added first: authentication comes before anything else.
      List<ServerInterceptor> interceptors = List.of(new PeerAddress(), faces.authenticator());
      List<Server> servers = new ArrayList<>();
      for (ServerBuilder<?> sb : builders) {
        for (BindableService s : services) {
          sb.addService(ServerInterceptors.intercept(s, interceptors));
        }
        servers.add(sb.build());
      }
      return new ControlPlaneServer(this, servers, discovery, statuses, records, faces);
    }

    private static boolean isLoopback(InetSocketAddress a) {
      return a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }
  }
}
