package dev.wharf.dataplane.drain;

import dev.wharf.config.Durations;
import dev.wharf.proto.config.v1.DrainPolicy;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Upstream;
import java.time.Duration;

/**
 * A {@link DrainPolicy} with its defaults filled in: what happens to an open connection once a
 * config change or a failed health check leaves it on an endpoint or route it should no longer use.
 *
 * <p>Which policy applies is decided here and nowhere else: a proxy route's own policy ({@link
 * #ofRoute}), else its upstream's ({@link #inForce}), which is the upstream's own or else {@link
 * #DEFAULT} ({@link #ofUpstream}).
 *
 * @param keep never close such connections (they end when their client or backend ends them)
 * @param timeout grace before closing begins
 * @param spread the closes of one change are spread evenly over this window after the grace
 * @param maxClosesPerSecond the node never closes more than this many per second
 */
public record DrainSettings(
    boolean keep, Duration timeout, Duration spread, int maxClosesPerSecond) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SPREAD = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CLOSES_PER_SECOND = 100;

  /** What an upstream and a route without a {@code drain} block get. */
  public static final DrainSettings DEFAULT = of(DrainPolicy.getDefaultInstance());

  /** An upstream's policy: its own {@code drain} block, else the default. */
  public static DrainSettings ofUpstream(Upstream upstream) {
    return upstream.hasDrain() ? of(upstream.getDrain()) : DEFAULT;
  }

  /** A proxy route's own policy, or null when it has none and follows its upstream's. */
  public static DrainSettings ofRoute(ProxyAction proxy) {
    return proxy.hasDrain() ? of(proxy.getDrain()) : null;
  }

  /**
   * The policy in force for a route's connections: the route's own when it has one, else the
   * upstream's; null when both are null (neither is known).
   */
  public static DrainSettings inForce(DrainSettings routeOwn, DrainSettings upstream) {
    return routeOwn != null ? routeOwn : upstream;
  }

  public static DrainSettings of(DrainPolicy p) {
    return new DrainSettings(
        p.getMode() == DrainPolicy.Mode.KEEP,
        p.hasTimeout() ? Durations.toJava(p.getTimeout()) : DEFAULT_TIMEOUT,
        p.hasSpread() ? Durations.toJava(p.getSpread()) : DEFAULT_SPREAD,
        p.getMaxClosesPerSecond() > 0 ? p.getMaxClosesPerSecond() : DEFAULT_MAX_CLOSES_PER_SECOND);
  }
}
