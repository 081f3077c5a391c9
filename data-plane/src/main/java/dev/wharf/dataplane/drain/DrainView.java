package dev.wharf.dataplane.drain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the node serves now, as far as drains care: where each route sends its traffic and with
 * which drain policy, which endpoints each upstream has, and (live) which of them pass their active
 * health checks. A connection is judged against it with {@link #reason}.
 *
 * <p>Built from the compiled snapshot (routing feeds a {@link #builder}), so it knows each route's
 * and upstream's policy as the proxy runs them; which one applies is {@link
 * DrainSettings#inForce}'s to say.
 */
public final class DrainView {
  /** Whether an endpoint passes its upstream's active health checks, read live. */
  @FunctionalInterface
  public interface Health {
    boolean healthy(String upstream, String address);
  }

  /**
   * A route's upstream (null when it is not a proxy route) and its own drain policy (null when it
   * has none).
   */
  public record RouteTarget(String upstream, DrainSettings override) {}

  /**
   * A snapshot's routes by name, looked up when a connection is judged (on an event loop or the
   * drainer's thread): immutable, so a large config's view costs nothing to build.
   */
  @FunctionalInterface
  public interface Routes {
    /** Route {@code name}'s target; null when the snapshot has no such route. */
    RouteTarget find(String name);
  }

  /** An upstream's endpoint addresses and drain policy. */
  private record UpstreamTarget(List<String> endpoints, DrainSettings settings) {}

  static final DrainView EMPTY = new DrainView(name -> null, Map.of(), (u, a) -> true);

  private final Routes routes;
  private final Map<String, UpstreamTarget> upstreams;
  private final Health health;

  private DrainView(Routes routes, Map<String, UpstreamTarget> upstreams, Health health) {
    this.routes = routes;
    this.upstreams = upstreams;
    this.health = health;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the facts of one snapshot, on the config thread; then {@link #build} once. */
  public static final class Builder {
    private final Map<String, RouteTarget> routes = new HashMap<>();
    private final Map<String, UpstreamTarget> upstreams = new HashMap<>();
    private Routes lookup;

    private Builder() {}

    /**
     * Every route of the snapshot at once, as an immutable lookup, instead of one {@link #route}
     * call each.
     */
    public Builder routes(Routes all) {
      lookup = all;
      return this;
    }

    /**
     * A route of the snapshot.
     *
     * @param upstream where it sends traffic; null when it is not a proxy route
     * @param ownPolicy its own drain policy; null when it follows its upstream's
     */
    public Builder route(String name, String upstream, DrainSettings ownPolicy) {
      routes.put(name, new RouteTarget(upstream, ownPolicy));
      return this;
    }

    /**
     * An upstream of the snapshot.
     *
     * @param endpoints its endpoints' addresses as written in the config
     * @param policy its drain policy, defaults filled in
     */
    public Builder upstream(String name, List<String> endpoints, DrainSettings policy) {
      upstreams.put(name, new UpstreamTarget(List.copyOf(endpoints), policy));
      return this;
    }

    /** The view, reading endpoint health live from {@code health}. */
    public DrainView build(Health health) {
      Routes r = lookup != null ? lookup : Map.copyOf(routes)::get;
      return new DrainView(r, Map.copyOf(upstreams), health);
    }
  }

  /**
   * Why a connection placed at {@code p} must move, or null when it may stay. In order: its route
   * is gone; its route now sends traffic elsewhere; its endpoint left the upstream; its endpoint
   * fails its health checks while another endpoint of the upstream passes them (when none passes,
   * the upstream is in panic and a reconnect would land on a failing endpoint anyway, so the
   * connection stays).
   */
  public DrainReason reason(Placement p) {
    RouteTarget route = routes.find(p.route());
    if (route == null) {
      return DrainReason.ROUTE_REMOVED;
    }
    if (!p.upstream().equals(route.upstream())) {
      return DrainReason.ROUTE_CHANGED;
    }
    UpstreamTarget upstream = upstreams.get(p.upstream());
    List<String> addresses = upstream == null ? List.of() : upstream.endpoints();
    if (!addresses.contains(p.endpoint())) {
      return DrainReason.ENDPOINT_REMOVED;
    }
    if (!health.healthy(p.upstream(), p.endpoint())) {
      for (String other : addresses) {
        if (health.healthy(p.upstream(), other)) {
          return DrainReason.ENDPOINT_UNHEALTHY;
        }
      }
    }
    return null;
  }

  /**
   * The drain policy for a connection placed at {@code p}, as the config has it now: its route's
   * own policy when the route still has one; else the policy of the upstream the connection is on;
   * else (both gone) the policy it opened with.
   */
  public DrainSettings settings(Placement p) {
    RouteTarget route = routes.find(p.route());
    UpstreamTarget upstream = upstreams.get(p.upstream());
    DrainSettings now =
        DrainSettings.inForce(
            route == null ? null : route.override(), upstream == null ? null : upstream.settings());
    return now != null ? now : p.settings();
  }
}
