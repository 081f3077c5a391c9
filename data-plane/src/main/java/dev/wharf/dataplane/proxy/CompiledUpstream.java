package dev.wharf.dataplane.proxy;

import dev.wharf.config.Addresses;
import dev.wharf.config.Durations;
import dev.wharf.config.Template;
import dev.wharf.proto.config.v1.ConnectionPool;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * An upstream as one snapshot runs it: resolved endpoints, the balancer over them, and its
 * connection settings with nginx's defaults filled in.
 *
 * @param hashKey the key template of a consistent-hash upstream, else null
 */
public record CompiledUpstream(String name, List<UpstreamEndpoint> endpoints, Balancer balancer,
    Template hashKey, Duration connectTimeout, PoolSettings pool) {
  /** nginx proxy_connect_timeout. */
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Keep-alive pool limits.
   *
   * @param maxIdlePerEndpoint idle connections kept per endpoint and event loop; 0 = no reuse
   * @param maxRequestsPerConnection 0 = unlimited
   */
  public record PoolSettings(int maxIdlePerEndpoint, Duration idleTimeout,
      int maxRequestsPerConnection) {
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

  /**
   * Compiles a validated upstream. Host names are resolved here, on the config thread; one that
   * does not resolve stays unresolved and its connects fail (502), as an unreachable host would.
   */
  static CompiledUpstream compile(Upstream upstream, EndpointRegistry registry,
      Supplier<RandomGenerator> random) {
    List<UpstreamEndpoint> endpoints = new ArrayList<>();
    for (Endpoint e : upstream.getEndpointsList()) {
      Addresses.HostPort hp = Addresses.parseHostPort(e.getAddress());
      endpoints.add(new UpstreamEndpoint(upstream.getName(), e.getAddress(),
          new InetSocketAddress(hp.host(), hp.port()), Math.max(1, e.getWeight()),
          registry.statsFor(upstream.getName(), e.getAddress())));
    }
    String key = upstream.getBalancing().getHashKey();
    return new CompiledUpstream(upstream.getName(), endpoints,
        Balancer.of(upstream.getBalancing().getPolicy(), endpoints, random),
        key.isEmpty() ? null : Template.parse(key),
        upstream.hasConnectTimeout()
            ? Durations.toJava(upstream.getConnectTimeout()) : DEFAULT_CONNECT_TIMEOUT,
        PoolSettings.of(upstream));
  }
}
