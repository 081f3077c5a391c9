package dev.wharf.dataplane.ratelimit;

import dev.wharf.config.Rates;
import dev.wharf.config.Template;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.dataplane.http.TemplateRenderer.VariableSource;
import dev.wharf.proto.config.v1.ConnectionLimit;
import dev.wharf.proto.config.v1.RequestLimit;
import dev.wharf.proto.config.v1.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * A route's {@code limit_req} and {@code limit_conn}, compiled once per snapshot, and nginx's order
 * of applying them: every request limit first (a refusal by any refuses, and nothing is counted;
 * otherwise all count it and the longest delay wins), then, once any delay is over, the connection
 * limits. A key that renders empty is not limited; neither is one longer than nginx takes (65535
 * bytes for a request key, 255 for a connection key), as nginx lets those through.
 *
 * <p>Immutable; called on event loops, the zones it names are shared node-wide.
 */
public final class RouteLimits {
  /** Above this, nginx does not limit by a connection key. */
  static final int MAX_CONNECTION_KEY_BYTES = 255;

  private static final long NO_DELAY = Long.MAX_VALUE / 4;

  public static final RouteLimits NONE = new RouteLimits(List.of(), List.of());

  record Req(RequestZone zone, Template key, long burstMilli, long delayMilli, int status) {}

  record Conn(ConnectionZone zone, Template key, int max, int status) {}

  private final List<Req> requests;
  private final List<Conn> connections;

  RouteLimits(List<Req> requests, List<Conn> connections) {
    this.requests = List.copyOf(requests);
    this.connections = List.copyOf(connections);
  }

  /** {@code route}'s limits on the zones of its (validated) config. */
  public static RouteLimits compile(Route route, RateLimitZones.Compiled zones) {
    if (route.getLimitReqCount() == 0 && route.getLimitConnCount() == 0) {
      return NONE;
    }
    List<Req> requests = new ArrayList<>();
    for (RequestLimit l : route.getLimitReqList()) {
      requests.add(
          new Req(
              zones.requests().get(l.getZone()),
              Template.parse(zones.keys().get(l.getZone())),
              l.getBurst() * 1000L,
              l.getNodelay() ? NO_DELAY : l.getDelay() * 1000L,
              status(l.getStatus())));
    }
    List<Conn> connections = new ArrayList<>();
    for (ConnectionLimit l : route.getLimitConnList()) {
      connections.add(
          new Conn(
              zones.connections().get(l.getZone()),
              Template.parse(zones.keys().get(l.getZone())),
              l.getMax(),
              status(l.getStatus())));
    }
    return new RouteLimits(requests, connections);
  }

  private static int status(int configured) {
    return configured == 0 ? Rates.DEFAULT_STATUS : configured;
  }

  public boolean hasRequestLimits() {
    return !requests.isEmpty();
  }

  public boolean hasConnectionLimits() {
    return !connections.isEmpty();
  }

  /**
   * nginx's limit_req for a request at {@code nowMillis}: the status to refuse it with (negative,
   * {@code -503}), or how many milliseconds it waits before it goes on (0: at once).
   */
  public long requestVerdict(VariableSource variables, long nowMillis) {
    if (requests.isEmpty()) {
      return 0;
    }
    String[] keys = new String[requests.size()];
    for (int i = 0; i < keys.length; i++) {
      Req r = requests.get(i);
      String key = TemplateRenderer.render(r.key(), variables, null);
      if (key.isEmpty() || RequestZone.utf8Length(key) > Rates.MAX_KEY_BYTES) {
        continue;
      }
      keys[i] = key;
      if (r.zone().peek(key, nowMillis, r.burstMilli()) < 0) {
        r.zone().meters().rejected();
        return -r.status();
      }
    }
    long delay = 0;
    long[] delays = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      Req r = requests.get(i);
      if (keys[i] == null) {
        continue;
      }
      long excess = r.zone().take(keys[i], nowMillis, r.burstMilli());
      if (excess < 0) {
        r.zone().meters().rejected(); // another loop took the room between the two looks
        return -r.status();
      }
      delays[i] =
          excess > r.delayMilli() ? (excess - r.delayMilli()) * 1000 / r.zone().milliRate() : 0;
      delay = Math.max(delay, delays[i]);
    }
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        if (delays[i] > 0) {
          requests.get(i).zone().meters().delayed();
        } else {
          requests.get(i).zone().meters().allowed();
        }
      }
    }
    return delay;
  }

  /**
   * nginx's limit_conn: counts the request in every zone of the route, or in none and says the
   * status to refuse it with. The caller releases what it got when the request ends.
   */
  public ConnectionLeases acquire(VariableSource variables) {
    if (connections.isEmpty()) {
      return ConnectionLeases.NONE;
    }
    ConnectionLeases leases = new ConnectionLeases(connections.size());
    for (Conn c : connections) {
      String key = TemplateRenderer.render(c.key(), variables, null);
      if (key.isEmpty() || RequestZone.utf8Length(key) > MAX_CONNECTION_KEY_BYTES) {
        continue;
      }
      if (!c.zone().acquire(key, c.max())) {
        leases.release();
        c.zone().meters().rejected();
        return ConnectionLeases.refused(c.status());
      }
      leases.add(c.zone(), key);
    }
    for (Conn c : connections) {
      c.zone().meters().allowed();
    }
    return leases;
  }
}
