package dev.wharf.dataplane.health;

import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Upstream;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the active health checks of a node: one {@link EndpointCheck} per endpoint of every upstream
 * with a {@code health_check}, spread over the node's event loops.
 *
 * <p>{@link #update} follows each applied config: checks start for new endpoints, stop for removed
 * ones, restart with new settings when an upstream's {@code health_check} changed; an endpoint
 * whose check is unchanged keeps its schedule, and every kept endpoint keeps its health (it lives
 * in its {@code EndpointStats}). An upstream that loses its health check has its endpoints made
 * healthy again. It also points the {@code wharf.endpoint.healthy} gauges at the endpoints' current
 * state (NaN once an endpoint left the config).
 *
 * <p>Threading: {@link #update} and {@link #close} are called by the node's config thread, one at a
 * time (the node's apply is synchronized); the checks themselves run on event loops.
 */
public final class HealthChecker implements AutoCloseable {
  private final EventLoopGroup loops;
  private final Transport transport;
  private final NodeServices services;
  private final Runnable onVerdictChange;
  private final Map<String, EndpointCheck> checks = new HashMap<>();

  /** Upstream and address of every endpoint with a health gauge, as of the last update. */
  private Set<List<String>> gauged = Set.of();

  /**
   * @param onVerdictChange runs (on an event loop) whenever an endpoint turns healthy or unhealthy;
   *     it must not block
   */
  public HealthChecker(
      EventLoopGroup loops, Transport transport, NodeServices services, Runnable onVerdictChange) {
    this.loops = loops;
    this.transport = transport;
    this.services = services;
    this.onVerdictChange = onVerdictChange;
  }

  /** Brings the checks in line with {@code config}, compiled as {@code upstreams}. */
  public void update(Config config, Map<String, CompiledUpstream> upstreams) {
    Map<String, EndpointCheck> kept = new HashMap<>();
    Set<List<String>> nowGauged = new HashSet<>();
    Ticker ticker = services.ticker();
    for (Upstream u : config.getUpstreamsList()) {
      for (UpstreamEndpoint e : upstreams.get(u.getName()).endpoints()) {
        services
            .metrics()
            .endpointHealth(
                u.getName(), e.address(), () -> e.stats().usable(ticker.nanoTime()) ? 1 : 0);
        nowGauged.add(List.of(u.getName(), e.address()));
        String key = u.getName() + ' ' + e.address();
        EndpointCheck current = checks.remove(key);
        if (!u.hasHealthCheck()) {
          if (current != null) {
            current.stop();
            e.stats().healthy(true);
          }
          continue;
        }
        if (current != null
            && current.check().equals(u.getHealthCheck())
            && current.endpoint().stats() == e.stats()
            && current.endpoint().socketAddress().equals(e.socketAddress())
            && current.endpoint().tls() == e.tls()) {
          kept.put(key, current);
          continue;
        }
        if (current != null) {
          current.stop();
        }
        EndpointCheck check =
            new EndpointCheck(
                loops.next(),
                transport.clientChannel(),
                e,
                u.getHealthCheck(),
                services.metrics(),
                services.random(),
                onVerdictChange);
        kept.put(key, check);
        check.start();
      }
    }
    checks.values().forEach(EndpointCheck::stop);
    checks.clear();
    checks.putAll(kept);
    for (List<String> gone : gauged) {
      if (!nowGauged.contains(gone)) {
        // Neither healthy nor unhealthy: an alert on "== 0" must not fire for it.
        services.metrics().endpointHealth(gone.get(0), gone.get(1), () -> Double.NaN);
      }
    }
    gauged = nowGauged;
  }

  /** Stops every check; call before the event loops shut down. */
  @Override
  public void close() {
    checks.values().forEach(EndpointCheck::stop);
    checks.clear();
  }
}
