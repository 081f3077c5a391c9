package dev.wharf.cli.nginx;

import dev.wharf.config.Rates;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.ConnectionLimit;
import dev.wharf.proto.config.v1.RateLimitZone;
import dev.wharf.proto.config.v1.RequestLimit;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * nginx's {@code limit_req_zone} / {@code limit_conn_zone} (http level) and {@code limit_req} /
 * {@code limit_conn} with their {@code _status} (http, server and location levels, inherited as
 * nginx inherits them: a level with its own {@code limit_req} does not inherit the outer ones). An
 * imported route states nginx's default status, 503, as Wharf's own default is 429.
 */
final class RateLimits {
  private static final int NGINX_STATUS = 503;

  private RateLimits() {}

  /** The zones defined at the http level; a zone that cannot be translated is reported. */
  static List<RateLimitZone> zones(Scope http, Ledger ledger) {
    List<RateLimitZone> zones = new ArrayList<>();
    for (Directive d : http.own("limit_req_zone")) {
      zone(d, RateLimitZone.Kind.REQUESTS, ledger).ifPresent(zones::add);
    }
    for (Directive d : http.own("limit_conn_zone")) {
      zone(d, RateLimitZone.Kind.CONNECTIONS, ledger).ifPresent(zones::add);
    }
    return zones;
  }

  private static Optional<RateLimitZone> zone(Directive d, RateLimitZone.Kind kind, Ledger ledger) {
    RateLimitZone.Builder zone = RateLimitZone.newBuilder().setKind(kind).setKey(d.arg(0));
    Optional<String> keyProblem = Templates.problem(d.arg(0), Phase.REQUEST, -1);
    if (keyProblem.isPresent()) {
      ledger.notTranslated(d, keyProblem.get() + "; no zone is made for it");
      return Optional.empty();
    }
    for (String arg : d.args().subList(1, d.args().size())) {
      if (arg.startsWith("zone=")) {
        String[] nameAndSize = arg.substring(5).split(":", 2);
        zone.setName(nameAndSize[0]);
        Optional<Size> size =
            nameAndSize.length == 2 ? Values.size(nameAndSize[1]) : Optional.empty();
        if (size.isEmpty()) {
          ledger.notTranslated(d, "'" + arg + "' (expected: zone=NAME:SIZE)");
          return Optional.empty();
        }
        zone.setSize(size.get());
      } else if (arg.startsWith("rate=") && kind == RateLimitZone.Kind.REQUESTS) {
        zone.setRate(arg.substring(5));
        if (Rates.milliRequestsPerSecond(zone.getRate()).isEmpty()) {
          ledger.notTranslated(d, "'" + arg + "' is not a rate Wharf takes (N r/s or N r/m)");
          return Optional.empty();
        }
      } else if (!arg.equals("sync")) {
        ledger.notTranslated(d, "'" + arg + "' is not a parameter Wharf knows");
        return Optional.empty();
      }
    }
    if (zone.getName().isEmpty()
        || (kind == RateLimitZone.Kind.REQUESTS && zone.getRate().isEmpty())) {
      ledger.notTranslated(
          d, "needs zone=NAME:SIZE" + (zone.getRate().isEmpty() ? " and rate=" : ""));
      return Optional.empty();
    }
    ledger.translated(d);
    return Optional.of(zone.build());
  }

  /** Sets the limits of a proxy or static route whose directives are in {@code scope}. */
  static void route(Scope scope, Ledger ledger, Route.Builder route, List<RateLimitZone> zones) {
    Map<String, RateLimitZone.Kind> kinds =
        zones.stream()
            .collect(
                Collectors.toMap(
                    RateLimitZone::getName,
                    RateLimitZone::getKind,
                    (a, b) -> a,
                    () -> new java.util.HashMap<>()));
    int reqStatus = status(scope, "limit_req_status", ledger);
    for (Directive d : scope.nearestAll("limit_req")) {
      requestLimit(d, kinds, reqStatus, ledger).ifPresent(route::addLimitReq);
    }
    int connStatus = status(scope, "limit_conn_status", ledger);
    for (Directive d : scope.nearestAll("limit_conn")) {
      if (kinds.get(d.arg(0)) != RateLimitZone.Kind.CONNECTIONS) {
        ledger.notTranslated(d, "no limit_conn_zone named '" + d.arg(0) + "' was translated");
        continue;
      }
      Optional<Integer> max = Values.number(d.arg(1), 1, 65535);
      if (max.isEmpty()) {
        ledger.notTranslated(d, "'" + d.arg(1) + "' (expected: a number of connections)");
        continue;
      }
      route.addLimitConn(
          ConnectionLimit.newBuilder().setZone(d.arg(0)).setMax(max.get()).setStatus(connStatus));
      ledger.translated(d);
    }
  }

  private static Optional<RequestLimit> requestLimit(
      Directive d, Map<String, RateLimitZone.Kind> kinds, int status, Ledger ledger) {
    RequestLimit.Builder limit = RequestLimit.newBuilder().setStatus(status);
    for (String arg : d.args()) {
      Function<String, Optional<Integer>> number = v -> Values.number(v, 0, 1_000_000);
      Optional<Integer> n = Optional.of(0);
      if (arg.startsWith("zone=")) {
        limit.setZone(arg.substring(5));
      } else if (arg.startsWith("burst=")) {
        n = number.apply(arg.substring(6));
        n.ifPresent(limit::setBurst);
      } else if (arg.startsWith("delay=")) {
        n = number.apply(arg.substring(6));
        n.ifPresent(limit::setDelay);
      } else if (arg.equals("nodelay")) {
        limit.setNodelay(true);
      } else {
        n = Optional.empty();
      }
      if (n.isEmpty()) {
        ledger.notTranslated(d, "'" + arg + "' is not a limit_req parameter Wharf knows");
        return Optional.empty();
      }
    }
    if (kinds.get(limit.getZone()) != RateLimitZone.Kind.REQUESTS) {
      ledger.notTranslated(d, "no limit_req_zone named '" + limit.getZone() + "' was translated");
      return Optional.empty();
    }
    ledger.translated(d);
    return Optional.of(limit.build());
  }

  private static int status(Scope scope, String name, Ledger ledger) {
    Optional<Directive> d = scope.nearest(name);
    if (d.isEmpty()) {
      return NGINX_STATUS;
    }
    Optional<Integer> status = Values.number(d.get().arg(0), 400, 599);
    if (status.isEmpty()) {
      ledger.notTranslated(d.get(), "'" + d.get().arg(0) + "' (expected: 400-599)");
      return NGINX_STATUS;
    }
    ledger.translated(d.get());
    return status.get();
  }
}
