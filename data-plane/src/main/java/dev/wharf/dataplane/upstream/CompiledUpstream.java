package dev.wharf.dataplane.upstream;

import dev.wharf.config.Addresses;
import dev.wharf.config.Durations;
import dev.wharf.config.Template;
import dev.wharf.dataplane.drain.DrainSettings;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.tls.UpstreamTlsClient;
import dev.wharf.proto.config.v1.ConnectionPool;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.LoadBalancing;
import dev.wharf.proto.config.v1.Upstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream as one snapshot runs it: resolved endpoints, the balancer over them, and its
 * connection settings with nginx's defaults filled in.
 *
 * @param endpoints the endpoints in rotation (not {@code down}), primaries and backups, in config
 *     order
 * @param balancer picks among the primary endpoints
 * @param backups picks among the {@code backup} endpoints, or null when the upstream has none
 * @param hashKey the key template of a consistent-hash upstream, else null
 * @param outliers passive ejection, or null when the upstream has no {@code outlier_detection}
 * @param state what the upstream keeps across snapshots
 * @param drain the policy for its connections whose endpoint goes away
 */
public record CompiledUpstream(
    String name,
    List<UpstreamEndpoint> endpoints,
    Balancer balancer,
    Balancer backups,
    Template hashKey,
    Duration connectTimeout,
    PoolSettings pool,
    OutlierDetector outliers,
    UpstreamState state,
    DrainSettings drain) {
  private static final Logger log = LoggerFactory.getLogger(CompiledUpstream.class);

  /** nginx proxy_connect_timeout. */
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Keep-alive pool limits.
   *
   * @param maxIdlePerEndpoint idle connections kept per endpoint and event loop; 0 = no reuse
   * @param maxRequestsPerConnection 0 = unlimited
   */
  public record PoolSettings(
      int maxIdlePerEndpoint, Duration idleTimeout, int maxRequestsPerConnection) {
    static PoolSettings of(Upstream upstream) {
      ConnectionPool p = upstream.getPool();
      return new PoolSettings(
          upstream.hasPool() ? p.getMaxIdlePerEndpoint() : 32,
          p.hasIdleTimeout() ? Durations.toJava(p.getIdleTimeout()) : Duration.ofSeconds(60),
          upstream.hasPool() ? p.getMaxRequestsPerConnection() : 1000);
    }
  }

  public CompiledUpstream {
    endpoints = List.copyOf(endpoints);
  }

  /** Compiles a validated upstream spoken to in plain HTTP. */
  static CompiledUpstream compile(
      Upstream upstream, EndpointRegistry registry, Supplier<RandomGenerator> random) {
    return compile(upstream, registry, random, null);
  }

  /**
   * Compiles a validated upstream; {@code tls} is its TLS client (null: plain HTTP). Host names are
   * resolved here, on the config thread; one that does not resolve stays unresolved and its
   * connects fail (502), as an unreachable host would.
   */
  static CompiledUpstream compile(
      Upstream upstream,
      EndpointRegistry registry,
      Supplier<RandomGenerator> random,
      UpstreamTlsClient tls) {
    List<UpstreamEndpoint> endpoints = new ArrayList<>();
    List<UpstreamEndpoint> primaries = new ArrayList<>();
    List<UpstreamEndpoint> backups = new ArrayList<>();
    for (Endpoint e : upstream.getEndpointsList()) {
      if (e.getDown()) {
        continue; // nginx `down`: out of rotation
      }
      Addresses.HostPort hp = Addresses.parseHostPort(e.getAddress());
      UpstreamEndpoint endpoint =
          new UpstreamEndpoint(
              upstream.getName(),
              e.getAddress(),
              new InetSocketAddress(hp.host(), hp.port()),
              Math.max(1, e.getWeight()),
              registry.statsFor(upstream.getName(), e.getAddress()),
              tls);
      endpoints.add(endpoint);
      (e.getBackup() ? backups : primaries).add(endpoint);
    }
    endpoints = List.copyOf(endpoints);
    LoadBalancing.Policy policy = upstream.getBalancing().getPolicy();
    UpstreamState state = registry.stateFor(upstream.getName());
    String key = upstream.getBalancing().getHashKey();
    return new CompiledUpstream(
        upstream.getName(),
        endpoints,
        Balancer.of(policy, primaries, random),
        backups.isEmpty() ? null : Balancer.of(policy, backups, random),
        key.isEmpty() ? null : Template.parse(key),
        upstream.hasConnectTimeout()
            ? Durations.toJava(upstream.getConnectTimeout())
            : DEFAULT_CONNECT_TIMEOUT,
        PoolSettings.of(upstream),
        OutlierDetector.of(
            upstream.getName(),
            endpoints,
            state,
            upstream.hasOutlierDetection(),
            upstream.getOutlierDetection()),
        state,
        DrainSettings.ofUpstream(upstream));
  }

  /**
   * The endpoint for the next attempt: the balancer's choice among the primary endpoints not yet
   * {@code tried} that are usable at ticker time {@code now} (all of them in panic); when no
   * primary is left, the backup balancer's choice among the backups, as nginx's {@code backup}
   * servers; null when none is left.
   *
   * @param hashKey the rendered hash key for consistent hashing, else null
   */
  public UpstreamEndpoint pick(
      String hashKey, List<UpstreamEndpoint> tried, long now, ProxyMetrics metrics) {
    List<UpstreamEndpoint> out = excluded(tried, now, metrics);
    UpstreamEndpoint picked = balancer.pick(hashKey, out);
    return picked != null || backups == null ? picked : backups.pick(hashKey, out);
  }

  /**
   * Feeds passive ejection with the outcome of one attempt: connect failures, resets, timeouts
   * (and, see {@link #countsResponse}, some responses) count against the endpoint. Does nothing
   * without {@code outlier_detection}.
   */
  public void attemptEnded(
      UpstreamEndpoint endpoint, boolean success, long now, ProxyMetrics metrics) {
    if (outliers == null) {
      return;
    }
    if (success) {
      outliers.succeeded(endpoint);
    } else {
      outliers.failed(endpoint, now, metrics);
    }
  }

  /**
   * Whether a response with {@code status} counts as a failure of its endpoint: a 5xx unless {@code
   * outlier_detection.count_5xx_responses} is false, or one that sent the request to the next
   * endpoint ({@code retried}), as nginx counts a {@code proxy_next_upstream http_*} status.
   */
  public boolean countsResponse(int status, boolean retried) {
    return retried || (status >= 500 && (outliers == null || outliers.counts5xx()));
  }

  /**
   * What the balancer must not pick: {@code tried} plus the endpoints that are unhealthy or ejected
   * at ticker time {@code now}. When no endpoint is usable the upstream is in panic and only {@code
   * tried} is excluded: sending traffic to endpoints believed bad beats sending it nowhere.
   * Allocates only while some endpoint is out.
   */
  List<UpstreamEndpoint> excluded(List<UpstreamEndpoint> tried, long now, ProxyMetrics metrics) {
    int usable = 0;
    for (UpstreamEndpoint e : endpoints) {
      usable += e.stats().usable(now) ? 1 : 0;
    }
    if (usable == 0 && !endpoints.isEmpty()) {
      if (state.panic.compareAndSet(false, true)) {
        metrics.upstreamPanic(name, true);
        log.warn(
            "upstream {} in panic: none of its {} endpoints is healthy, using all of them",
            name,
            endpoints.size());
      }
      return tried;
    }
    if (state.panic.get() && state.panic.compareAndSet(true, false)) {
      metrics.upstreamPanic(name, false);
      log.info(
          "upstream {} out of panic: {} of {} endpoints healthy", name, usable, endpoints.size());
    }
    if (usable == endpoints.size()) {
      return tried;
    }
    List<UpstreamEndpoint> out = new ArrayList<>(tried);
    for (UpstreamEndpoint e : endpoints) {
      if (!e.stats().usable(now) && !out.contains(e)) {
        out.add(e);
      }
    }
    return out;
  }
}
