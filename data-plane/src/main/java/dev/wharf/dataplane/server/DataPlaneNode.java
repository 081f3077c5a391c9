package dev.wharf.dataplane.server;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigValidator;
import dev.wharf.config.RouteDelta;
import dev.wharf.dataplane.access.PasswordCheckPool;
import dev.wharf.dataplane.access.UserFileMeters;
import dev.wharf.dataplane.accesslog.AccessLogger;
import dev.wharf.dataplane.accesslog.AccessLogs;
import dev.wharf.dataplane.admin.AdminState;
import dev.wharf.dataplane.admin.AppliedConfig;
import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.drain.DrainReason;
import dev.wharf.dataplane.health.HealthChecker;
import dev.wharf.dataplane.http.GoAway;
import dev.wharf.dataplane.http.RequestIds;
import dev.wharf.dataplane.metrics.DrainMeters;
import dev.wharf.dataplane.metrics.KnownSeries;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.proxy.ProxyServices;
import dev.wharf.dataplane.ratelimit.RateLimitZones;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.tls.TlsEngine;
import dev.wharf.dataplane.tls.TlsListeners;
import dev.wharf.dataplane.tls.UpstreamTlsClient;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.UpstreamConnector;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data-plane node: its event loops, its listeners, and the snapshot they share.
 *
 * <p>{@link #apply} validates and compiles a config on the calling thread (never an event loop),
 * then publishes the new snapshot with one reference swap; requests already started keep the
 * snapshot they read, and open connections are not touched. Listeners added by a config are bound,
 * removed ones closed.
 *
 * <p>Shutdown order ({@link #close}): close the listening sockets, ask every open connection to go
 * away ({@link GoAway}), let the event loops finish what they have queued, stop them, then close
 * the access logs.
 */
public final class DataPlaneNode implements AutoCloseable, AdminState {
  private static final Logger log = LoggerFactory.getLogger(DataPlaneNode.class);
  private static final int ACCESS_LOG_QUEUE = 64 * 1024;

  private final Transport transport;
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final String hostname;
  private final NodeServices services;
  private final ProxyServices proxy;
  private final UpstreamConnector connector;
  private final DrainMeters drainMeters;
  private final ConnectionDrainer drainer;
  private final NodeDrainProgress drainProgress;
  private final HealthChecker health;
  private final EndpointRegistry endpoints = new EndpointRegistry();
  private final RateLimitZones rateLimits;
  private final AccessLogs accessLogs = new AccessLogs(ACCESS_LOG_QUEUE);
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicReference<NodeSnapshot> snapshot = new AtomicReference<>();
  private final ListenerSockets listeners;
  private final TlsListeners tls;
  private final ConfigFiles configFiles;
  private long lastVersion;
  private volatile boolean closing;
  private volatile boolean draining;

  private DataPlaneNode(Builder b) {
    this.transport = b.transport;
    this.acceptors = transport.newGroup(1, "wharf-accept");
    this.workers = transport.newGroup(b.workers, "wharf-io");
    this.hostname = b.hostname;
    this.drainMeters =
        b.metrics.drainMeters(
            Arrays.stream(DrainReason.values()).map(DrainReason::tag).toList(), this::drainPending);
    this.drainer = ConnectionDrainer.create(b.ticker, drainMeters);
    this.drainProgress = new NodeDrainProgress(connections::size, drainer::open, b.clock);
    Executor files = b.files != null ? b.files : NodeServices.newFileThreads(b.workers);
    Executor passwords =
        Objects.requireNonNullElseGet(
            b.passwords, () -> PasswordCheckPool.create(b.workers, b.metrics.registry()));
    this.services = new NodeServices(b.metrics, b.ticker, b.clock, b.random, files, passwords);
    this.rateLimits = new RateLimitZones(b.metrics.registry());
    this.connector = new UpstreamConnector(transport, new UpstreamHttpPipeline());
    this.proxy = new ProxyServices(services, connector, drainer);
    this.health = new HealthChecker(workers, transport, services, drainer::healthChanged);
    this.tls =
        new TlsListeners(TlsEngine.onFirstUse(b.metrics.registry()), b.metrics.registry(), b.clock);
    this.configFiles = new ConfigFiles(services, accessLogs, tls);
    // Node-made session ticket keys rotate by the ticker; the check is cheap, every minute.
    workers
        .next()
        .scheduleAtFixedRate(
            () -> tls.rotateTicketKeys(services.ticker().nanoTime()), 1, 1, TimeUnit.MINUTES);
    this.listeners =
        new ListenerSockets(
            transport,
            acceptors,
            workers,
            name ->
                new HttpFrontendInitializer(
                    new ListenerContext(
                        name, snapshot::get, proxy, hostname, RequestIds::next, tls),
                    connections));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Applies {@code config} as the next local version (a file-fed node counts its applies). */
  public synchronized void apply(Config config) throws ConfigException, ListenerBindException {
    apply(config, lastVersion + 1);
  }

  /**
   * Validates, compiles and swaps in {@code config} as {@code version}. All or nothing: when the
   * config is invalid, an upstream's TLS files cannot be read, an access log cannot be opened or a
   * new listener cannot bind, nothing changes and the node keeps serving the old config.
   *
   * <p>Order: compile, bind listeners that are new, swap the snapshot, bring health checks in line,
   * hand the new view to the drainer (which judges open WebSockets by their drain policies), close
   * idle pooled connections to endpoints that are gone, then close listeners the config no longer
   * has (their open connections are left to finish).
   *
   * @throws ConfigException the config is invalid
   * @throws ListenerBindException a new listener could not bind its address
   */
  public synchronized void apply(Config config, long version)
      throws ConfigException, ListenerBindException {
    long started = services.ticker().nanoTime();
    NodeSnapshot serving = snapshot.get(); // only what differs from it is checked and compiled
    Config before = serving == null ? null : serving.config();
    RouteDelta delta = RouteDelta.of(config, before); // the one walk comparing routes by value
    try {
      ConfigValidator.requireValid(config, delta);
    } catch (ConfigException e) {
      services.metrics().configRejected("invalid");
      throw e;
    }
    Map<String, UpstreamTlsClient> upstreamClients = configFiles.upstreamTls(config);
    Map<String, CompiledUpstream> upstreams =
        Upstreams.compile(
            config,
            before,
            serving == null ? Map.of() : serving.routes().upstreams(),
            endpoints,
            services.random(),
            upstreamClients);
    RateLimitZones.Compiled zones = rateLimits.prepare(config.getRateLimitZonesList());
    RoutingTable routes =
        RoutingTable.compile(
            config, upstreams, zones, serving == null ? null : serving.routes(), delta);
    Map<String, AccessLogger> logs = configFiles.accessLogs(config);
    TlsListeners.Prepared certificates = configFiles.listenerTls(config);

    Map<String, ListenerSockets.Bound> added;
    try {
      added = listeners.bindNew(config.getListenersList());
    } catch (ListenerBindException e) {
      services.metrics().configRejected("bind");
      throw e;
    }
    rateLimits.commit(zones); // nothing fails after the bind: the zones become the served ones
    snapshot.set(new NodeSnapshot(version, config, routes, logs, services.clock().instant()));
    tls.commit(certificates);
    lastVersion = version;
    health.update(config, upstreams);
    drainer.viewChanged(routes.drainView(endpoints::healthy));
    connector.retainEndpoints(workers, Upstreams.endpointAddresses(config));
    accessLogs.retireUnused();
    listeners.retire(config, added);
    KnownSeries.register(services.metrics(), config);
    UserFileMeters.register(services.metrics().registry(), config);
    services.metrics().configApplied(version, services.ticker().nanoTime() - started);
  }

  /** The node's TLS terminators, to rebuild a listener's setup when its files change. */
  public TlsListeners tls() {
    return tls;
  }

  /** The address a listener is bound to (its port is the real one when the config said 0). */
  public synchronized InetSocketAddress address(String listener) {
    return listeners.address(listener);
  }

  /** The snapshot serving new requests, or null before the first apply. */
  public NodeSnapshot snapshot() {
    return snapshot.get();
  }

  /**
   * Node drain, first step: {@code /readyz} answers 503 from now on, so load balancers stop sending
   * new clients; everything else keeps serving. See {@link NodeDrain} for the order.
   */
  public void markDraining() {
    draining = true;
    drainMeters.nodeDraining();
  }

  public boolean draining() {
    return draining;
  }

  /** What the node reports of its drain; {@link NodeDrain} marks its steps. */
  public NodeDrainProgress drainProgress() {
    return drainProgress;
  }

  /**
   * Closes every listener: no new connections are accepted; open ones are untouched and keep the
   * snapshot they use.
   */
  public synchronized void stopAccepting() {
    listeners.closeAll();
  }

  /**
   * Asks every open client connection to end gracefully within {@code window}: HTTP connections at
   * once ({@link GoAway}: idle ones close, one with a request in flight closes after its response),
   * WebSockets with 1001 spread over the window by their drain policies ({@link
   * ConnectionDrainer#drainAll}), so their clients do not all reconnect at once.
   */
  public void goAway(Duration window) {
    drainer.drainAll(services.ticker().nanoTime() + window.toNanos());
    drainMeters.closed(
        DrainReason.NODE_DRAIN.tag(), Math.max(0, connections.size() - drainer.open()));
    for (Channel ch : connections) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(GoAway.INSTANCE));
    }
  }

  /**
   * The node's view of the endpoints of upstreams that have a health check or outlier detection, in
   * config order: what it reports to the control plane.
   */
  public List<EndpointHealthState> endpointHealth() {
    NodeSnapshot s = snapshot.get();
    return s == null ? List.of() : endpoints.report(s.config(), services.ticker().nanoTime());
  }

  /** Log rotation ({@code kill -USR1}): see {@link AccessLogs#reopenAll}. */
  public int reopenAccessLogs() {
    return accessLogs.reopenAll();
  }

  /** Client connections open now. */
  public int openConnections() {
    return connections.size();
  }

  /**
   * What the drain-pending gauge shows: the booked policy closes, or, once the node drains, every
   * connection it still has.
   */
  private int drainPending() {
    return draining ? connections.size() : drainer.pending();
  }

  @Override
  public boolean ready() {
    return !closing && !draining && snapshot.get() != null;
  }

  @Override
  public AppliedConfig current() {
    NodeSnapshot s = snapshot.get();
    return s == null ? null : new AppliedConfig(s.version(), s.appliedAt(), s.config());
  }

  @Override
  public synchronized void close() {
    closing = true;
    listeners.closeAll();
    health.close();
    drainer.close();
    tls.close();
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    acceptors.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    for (Executor e : List.of(services.files(), services.passwords())) {
      if (e instanceof ExecutorService own) {
        own.shutdownNow(); // a lookup or check still running answers a connection closed already
      }
    }
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    accessLogs.close();
  }

  /** Settings of a node; everything has a production default. */
  public static final class Builder {
    private Transport transport = Transport.best();
    private int workers = Runtime.getRuntime().availableProcessors();
    private Clock clock = Clock.systemDefaultZone();
    private Ticker ticker = Ticker.systemTicker();
    private Supplier<RandomGenerator> random = ThreadLocalRandom::current;
    private String hostname = "localhost";
    private ProxyMetrics metrics;
    private Executor files;
    private Executor passwords;

    private Builder() {}

    public Builder transport(Transport t) {
      transport = Objects.requireNonNull(t);
      return this;
    }

    /** Event-loop threads (default: the number of cores). */
    public Builder workers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("workers: " + n + " (expected: >= 1)");
      }
      workers = n;
      return this;
    }

    /** Wall-clock time for logs and Date headers. */
    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c);
      return this;
    }

    /** Monotonic time for durations and timeouts. */
    public Builder ticker(Ticker t) {
      ticker = Objects.requireNonNull(t);
      return this;
    }

    /** Random source per event-loop thread (balancing, WebSocket masks). */
    public Builder random(Supplier<RandomGenerator> r) {
      random = Objects.requireNonNull(r);
      return this;
    }

    /** This machine's name for {@code $hostname}. */
    public Builder hostname(String h) {
      hostname = Objects.requireNonNull(h);
      return this;
    }

    /** Where static routes' file calls run (default: max(4, 2 x workers) daemon threads). */
    public Builder files(Executor e) {
      files = Objects.requireNonNull(e);
      return this;
    }

    /** Where bcrypt checks run (default: a {@link PasswordCheckPool}, which refuses when full). */
    public Builder passwords(Executor e) {
      passwords = Objects.requireNonNull(e);
      return this;
    }

    public Builder metrics(ProxyMetrics m) {
      metrics = Objects.requireNonNull(m);
      return this;
    }

    public DataPlaneNode build() {
      if (metrics == null) {
        metrics = new ProxyMetrics(new SimpleMeterRegistry());
      }
      return new DataPlaneNode(this);
    }
  }
}
