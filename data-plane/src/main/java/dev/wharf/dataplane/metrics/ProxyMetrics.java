package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The proxy's meters: requests per listener and route, upstream requests and errors per endpoint,
 * WebSockets per route, client connections per listener, and config applies.
 *
 * <p>Threading: every method may be called from any thread, event loops included. Calls never block
 * and, once a tag combination has been seen, do not allocate: meters are cached per tag combination
 * in concurrent maps. The first call for a new combination registers its meters with Micrometer (a
 * short lock, once).
 *
 * <p>A {@code null} tag value (a route or endpoint that is not known) is recorded as {@code
 * "none"}. Meters are never removed, so counters and gauges survive config swaps; the number of
 * series grows with the number of distinct listeners, routes and endpoints seen.
 *
 * <p>Histogram buckets are fixed (not Micrometer's percentile histogram) so that series stay few
 * per route and {@code histogram_quantile} aggregates across nodes.
 */
public final class ProxyMetrics {
  static final String NONE = "none";

  /** Request and upstream latency: 0.5 ms to 60 s. */
  static final Duration[] LATENCY_BUCKETS =
      millis(
          0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000);

  /** Connection and WebSocket lifetimes: 10 ms to a day. */
  static final Duration[] LIFETIME_BUCKETS =
      millis(10, 100, 1_000, 10_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000);

  /** Compile and swap of a config: the target is 50 ms for 10,000 routes. */
  private static final Duration[] APPLY_BUCKETS =
      millis(1, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000);

  private final MeterRegistry registry;

  /** By the client's protocol (a handful of ALPN names), then listener and route. */
  private final ConcurrentHashMap<String, MeterTable<RequestMeters>> requests =
      new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, Timer> upstreamLatency = new ConcurrentHashMap<>();
  private final MeterTable<EndpointMeters> endpoints;
  private final WebSocketMeters webSockets;
  private final ConcurrentHashMap<String, ConnectionMeters> connections = new ConcurrentHashMap<>();
  private final AtomicLong configVersion = new AtomicLong();
  private final Timer configApply;
  private final ConcurrentHashMap<String, Counter> configRejected = new ConcurrentHashMap<>();

  /** Every reason a node refuses a config for; each counter is there, at zero, from the start. */
  static final List<String> CONFIG_REJECTED_REASONS = List.of("invalid", "bind", "tls");

  /** Every reason a PROXY-protocol listener closes a connection for. */
  static final List<String> PROXY_PROTOCOL_REASONS =
      List.of("untrusted_source", "malformed", "incomplete");

  private final ConcurrentHashMap<String, AtomicReference<DoubleSupplier>> endpointHealth =
      new ConcurrentHashMap<>();
  private final MeterTable<Counter> healthChecks;
  private final MeterTable<Counter> ejections;
  private final ConcurrentHashMap<String, AtomicLong> panics = new ConcurrentHashMap<>();
  private final MeterTable<Counter> proxyProtocolRejected;

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.endpoints =
        new MeterTable<>(
            (upstream, endpoint) ->
                new EndpointMeters(registry, Tags.of("upstream", upstream, "endpoint", endpoint)));
    this.webSockets = new WebSocketMeters(registry);
    this.proxyProtocolRejected =
        new MeterTable<>(
            (listener, reason) ->
                Counter.builder("wharf.proxy_protocol.rejected")
                    .description("Connections closed for a missing, bad or untrusted PROXY header")
                    .tags("listener", listener, "reason", reason)
                    .register(registry));
    this.healthChecks =
        new MeterTable<>(
            (upstream, result) ->
                Counter.builder("wharf.health.checks")
                    .description("Active health checks run, by result (success, failure, timeout)")
                    .tags("upstream", upstream, "result", result)
                    .register(registry));
    this.ejections =
        new MeterTable<>(
            (upstream, endpoint) ->
                Counter.builder("wharf.endpoint.ejections")
                    .description("Endpoints ejected by passive outlier detection")
                    .tags("upstream", upstream, "endpoint", endpoint)
                    .register(registry));
    Gauge.builder("wharf.config.version", configVersion, AtomicLong::get)
        .description("Version of the config this node serves (0: none yet)")
        .strongReference(true)
        .register(registry);
    this.configApply =
        Timer.builder("wharf.config.apply")
            .description("Time to compile a config and swap it in")
            .serviceLevelObjectives(APPLY_BUCKETS)
            .register(registry);
    CONFIG_REJECTED_REASONS.forEach(this::configRejectedCounter);
  }

  /** The registry behind these meters, for meter binders beside other logic (TLS). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A request finished (response fully sent or connection ended). Its status class is {@code
   * "1xx"}..{@code "5xx"}; status 0 is {@code "none"}: the client went away before any response.
   *
   * @param protocol what the client spoke, as ALPN names it: {@code http/1.1}, {@code h2}, {@code
   *     h2c}
   */
  public void requestCompleted(
      String listener, String protocol, String route, int status, long durationNanos) {
    requestCompleted(listener, protocol, route, status, durationNanos, 0, 0);
  }

  /**
   * As {@link #requestCompleted(String, String, String, int, long)}, with the body bytes the
   * request carried: {@code bytesIn} received from the client, {@code bytesOut} sent to it.
   */
  public void requestCompleted(
      String listener,
      String protocol,
      String route,
      int status,
      long durationNanos,
      long bytesIn,
      long bytesOut) {
    MeterTable<RequestMeters> table = requests.get(protocol);
    if (table == null) {
      table =
          requests.computeIfAbsent(
              protocol,
              p ->
                  new MeterTable<>(
                      (l, r) ->
                          new RequestMeters(
                              registry, Tags.of("listener", l, "protocol", p, "route", r))));
    }
    table.get(tag(listener), tag(route)).record(status, durationNanos, bytesIn, bytesOut);
  }

  /** A response came back from {@code endpoint} of {@code upstream}. */
  public void upstreamRequest(String upstream, String endpoint, int status, long durationNanos) {
    upstreamRequest(upstream, endpoint, status, durationNanos, 0, 0);
  }

  /**
   * As {@link #upstreamRequest(String, String, int, long)}, with the body bytes sent to the
   * endpoint and received from it.
   */
  public void upstreamRequest(
      String upstream,
      String endpoint,
      int status,
      long durationNanos,
      long bytesSent,
      long bytesReceived) {
    endpoints.get(tag(upstream), tag(endpoint)).responded(status, bytesSent, bytesReceived);
    upstreamTimer(tag(upstream)).record(durationNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The endpoints of a config: their response, byte and error counters are registered (at zero)
   * now, not at their first request.
   */
  public void endpointKnown(String upstream, String endpoint) {
    endpoints.get(tag(upstream), tag(endpoint));
    upstreamTimer(tag(upstream));
  }

  /**
   * A listener of a config exists: its connection meters, and the refusal counters that apply to
   * it, are registered now, at zero.
   */
  public void listenerKnown(String listener, boolean proxyProtocol) {
    connection(tag(listener));
    if (proxyProtocol) {
      PROXY_PROTOCOL_REASONS.forEach(r -> proxyProtocolRejected.get(tag(listener), r));
    }
  }

  /** A request to {@code endpoint} of {@code upstream} failed; {@code endpoint} may be null. */
  public void upstreamError(String upstream, String endpoint, UpstreamErrorKind kind) {
    endpoints.get(tag(upstream), tag(endpoint)).error(kind).increment();
  }

  /**
   * The drain meters, registered once per node.
   *
   * @param reasons every value of their {@code reason} tag
   * @param pending connections the node will close because of a drain and has not closed yet
   */
  public DrainMeters drainMeters(Iterable<String> reasons, IntSupplier pending) {
    return new DrainMeters(registry, reasons, pending);
  }

  /** A WebSocket was established (the upstream's 101 was relayed) on {@code route}. */
  public void webSocketOpened(String route) {
    webSockets.opened(tag(route));
  }

  /**
   * A WebSocket ended. {@code closedBy}: {@code "client"}, {@code "upstream"} or {@code "proxy"};
   * {@code code}: the close code, 1006 when the TCP connection ended without a close frame. Also
   * records the lifetime.
   */
  public void webSocketClosed(String route, int code, String closedBy, long lifetimeNanos) {
    webSockets.closed(tag(route), code, tag(closedBy), lifetimeNanos);
  }

  /**
   * The message counters of {@code route}'s WebSockets, one per direction: a relay resolves them
   * once when it starts and counts each message as it passes.
   */
  public WebSocketMessageCounters webSocketMessages(String route) {
    return webSockets.messages(tag(route));
  }

  /** Config {@code version} is now served; compiling and swapping it took the given time. */
  public void configApplied(long version, long compileAndSwapNanos) {
    configVersion.set(version);
    configApply.record(compileAndSwapNanos, TimeUnit.NANOSECONDS);
  }

  /** A config was refused: {@code "invalid"}, {@code "bind"} or {@code "tls"}. */
  public void configRejected(String reason) {
    configRejectedCounter(tag(reason)).increment();
  }

  private Counter configRejectedCounter(String reason) {
    return configRejected.computeIfAbsent(
        reason,
        r ->
            Counter.builder("wharf.config.rejected")
                .description("Configs refused, by reason")
                .tag("reason", r)
                .register(registry));
  }

  /**
   * Points the {@code wharf.endpoint.healthy} gauge (1 usable, 0 not) of an endpoint at {@code
   * usable}; a later call for the same endpoint replaces it (its state after a swap).
   */
  public void endpointHealth(String upstream, String endpoint, DoubleSupplier usable) {
    String key = tag(upstream) + ' ' + tag(endpoint);
    AtomicReference<DoubleSupplier> ref = endpointHealth.get(key);
    if (ref != null) {
      ref.set(usable);
      return;
    }
    endpointHealth
        .computeIfAbsent(
            key,
            k -> {
              AtomicReference<DoubleSupplier> r = new AtomicReference<>(usable);
              Gauge.builder("wharf.endpoint.healthy", r, x -> x.get().getAsDouble())
                  .description(
                      "1 when the endpoint may be picked (healthy and not ejected), else 0")
                  .tags("upstream", tag(upstream), "endpoint", tag(endpoint))
                  .strongReference(true)
                  .register(registry);
              return r;
            })
        .set(usable);
  }

  /** An active health check of {@code upstream} ended: success, failure or timeout. */
  public void healthCheck(String upstream, String result) {
    healthChecks.get(tag(upstream), tag(result)).increment();
  }

  /** Passive outlier detection ejected {@code endpoint}. */
  public void endpointEjected(String upstream, String endpoint) {
    ejections.get(tag(upstream), tag(endpoint)).increment();
  }

  /** {@code upstream} entered (or left) panic: no endpoint usable, traffic goes to all. */
  public void upstreamPanic(String upstream, boolean inPanic) {
    panics
        .computeIfAbsent(
            tag(upstream),
            u -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder("wharf.upstream.panic", v, AtomicLong::get)
                  .description("1 while no endpoint of the upstream is usable and all get traffic")
                  .tag("upstream", u)
                  .strongReference(true)
                  .register(registry);
              return v;
            })
        .set(inPanic ? 1 : 0);
  }

  /**
   * A connection to a PROXY-protocol {@code listener} was closed: {@code "untrusted_source"},
   * {@code "malformed"} or {@code "incomplete"}.
   */
  public void proxyProtocolRejected(String listener, String reason) {
    proxyProtocolRejected.get(tag(listener), reason).increment();
  }

  /** A client connection was accepted on {@code listener}. */
  public void connectionOpened(String listener) {
    connection(tag(listener)).active.incrementAndGet();
  }

  /** A client connection on {@code listener} closed after {@code lifetimeNanos}. */
  public void connectionClosed(String listener, long lifetimeNanos) {
    ConnectionMeters m = connection(tag(listener));
    m.active.decrementAndGet();
    m.lifetime.record(lifetimeNanos, TimeUnit.NANOSECONDS);
  }

  private Timer upstreamTimer(String upstream) {
    Timer t = upstreamLatency.get(upstream);
    return t != null
        ? t
        : upstreamLatency.computeIfAbsent(
            upstream,
            u ->
                Timer.builder("wharf.upstream.request.duration")
                    .description(
                        "Time from sending a request to an upstream to its response's last byte")
                    .tag("upstream", u)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
  }

  private ConnectionMeters connection(String listener) {
    ConnectionMeters m = connections.get(listener);
    return m != null ? m : connections.computeIfAbsent(listener, ConnectionMeters::new);
  }

  private static String tag(String value) {
    return value == null ? NONE : value;
  }

  private static Duration[] millis(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000));
    }
    return durations;
  }

  /** A listener's open connections (a gauge) and their lifetimes. */
  private final class ConnectionMeters {
    final AtomicLong active = new AtomicLong();
    final Timer lifetime;

    ConnectionMeters(String listener) {
      Gauge.builder("wharf.connections.active", active, AtomicLong::get)
          .description("Client connections open now")
          .tag("listener", listener)
          .strongReference(true)
          .register(registry);
      lifetime =
          Timer.builder("wharf.connection.duration")
              .description("How long client connections stayed open")
              .tag("listener", listener)
              .serviceLevelObjectives(LIFETIME_BUCKETS)
              .register(registry);
    }
  }
}
