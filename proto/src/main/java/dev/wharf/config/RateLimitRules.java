package dev.wharf.config;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.ConnectionLimit;
import dev.wharf.proto.config.v1.RateLimitZone;
import dev.wharf.proto.config.v1.RequestLimit;
import dev.wharf.proto.config.v1.Route;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rate-limit zones and the routes' references to them (nginx limit_req and limit_conn). */
final class RateLimitRules {
  /** A zone smaller than this holds no key at all (nginx refuses zones under 8 pages too). */
  private static final long MIN_ZONE_BYTES = 32L << 10;

  private RateLimitRules() {}

  static void check(
      List<RateLimitZone> zones, List<Route> routes, Problems problems, boolean references) {
    check(zones, routes, new BitSet(), problems, references);
  }

  /**
   * As {@link #check(List, List, Problems, boolean)}, skipping the routes in {@code unchanged}: a
   * valid config had them, under the same zones ({@link UnchangedRoutes}).
   */
  static void check(
      List<RateLimitZone> zones,
      List<Route> routes,
      BitSet unchanged,
      Problems problems,
      boolean references) {
    Map<String, RateLimitZone.Kind> kinds = new HashMap<>();
    for (int i = 0; i < zones.size(); i++) {
      RateLimitZone zone = zones.get(i);
      String path = "rate_limit_zones[" + i + "]";
      problems.name(path + ".name", zone.getName());
      if (kinds.putIfAbsent(zone.getName(), zone.getKind()) != null) {
        problems.add(path + ".name", "'" + zone.getName() + "' is used by another zone");
      }
      zone(path, zone, problems);
    }
    for (int i = unchanged.nextClearBit(0); i < routes.size(); i = unchanged.nextClearBit(i + 1)) {
      Route route = routes.get(i);
      if (route.getLimitReqCount() == 0 && route.getLimitConnCount() == 0) {
        continue;
      }
      String path = "routes[" + i + "]";
      for (int j = 0; j < route.getLimitReqCount(); j++) {
        RequestLimit limit = route.getLimitReq(j);
        String at = path + ".limit_req[" + j + "]";
        reference(at, limit.getZone(), RateLimitZone.Kind.REQUESTS, kinds, problems, references);
        if (limit.getBurst() < 0) {
          problems.add(at + ".burst", limit.getBurst() + " (expected: >= 0)");
        }
        if (limit.getNodelay() && limit.getDelay() > 0) {
          problems.add(at + ".delay", "set nodelay or delay, not both");
        }
        problems.rangeOrUnset(at + ".status", limit.getStatus(), 400, 599);
      }
      for (int j = 0; j < route.getLimitConnCount(); j++) {
        ConnectionLimit limit = route.getLimitConn(j);
        String at = path + ".limit_conn[" + j + "]";
        reference(at, limit.getZone(), RateLimitZone.Kind.CONNECTIONS, kinds, problems, references);
        if (limit.getMax() == 0) {
          problems.add(at + ".max", "0 (expected: > 0)");
        }
        problems.rangeOrUnset(at + ".status", limit.getStatus(), 400, 599);
      }
    }
  }

  private static void zone(String path, RateLimitZone zone, Problems problems) {
    if (zone.getKind() != RateLimitZone.Kind.REQUESTS
        && zone.getKind() != RateLimitZone.Kind.CONNECTIONS) {
      problems.add(path + ".kind", "expected: requests or connections");
    }
    if (zone.getKey().isEmpty()) {
      problems.add(path + ".key", "required (a template such as $binary_remote_addr)");
    } else {
      problems.template(path + ".key", zone.getKey(), Phase.REQUEST, -1);
    }
    if (zone.hasSize() && zone.getSize().getBytes() < MIN_ZONE_BYTES) {
      problems.add(
          path + ".size", zone.getSize().getBytes() + " bytes (expected: >= 32k, as nginx)");
    }
    if (zone.getKind() == RateLimitZone.Kind.REQUESTS) {
      if (zone.getRate().isEmpty()) {
        problems.add(path + ".rate", "required (e.g. 10r/s or 30r/m)");
      } else if (Rates.milliRequestsPerSecond(zone.getRate()).isEmpty()) {
        problems.add(
            path + ".rate", "'" + zone.getRate() + "' (expected: N r/s or N r/m, more than 0)");
      }
    } else if (!zone.getRate().isEmpty()) {
      problems.add(path + ".rate", "a connection zone has no rate");
    }
  }

  private static void reference(
      String path,
      String zone,
      RateLimitZone.Kind kind,
      Map<String, RateLimitZone.Kind> kinds,
      Problems problems,
      boolean references) {
    if (zone.isEmpty()) {
      problems.add(path + ".zone", "required");
      return;
    }
    RateLimitZone.Kind actual = kinds.get(zone);
    if (actual == null) {
      if (references) {
        problems.add(path + ".zone", "no rate_limit_zones entry named '" + zone + "'");
      }
    } else if (actual != kind) {
      problems.add(
          path + ".zone",
          "'"
              + zone
              + "' is a "
              + (actual == RateLimitZone.Kind.REQUESTS ? "request" : "connection")
              + " zone");
    }
  }
}
