package dev.wharf.config;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.ConnectionPool;
import dev.wharf.proto.config.v1.DrainPolicy;
import dev.wharf.proto.config.v1.HealthCheck;
import dev.wharf.proto.config.v1.HttpHealthCheck;
import dev.wharf.proto.config.v1.LoadBalancing;
import dev.wharf.proto.config.v1.OutlierDetection;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.StatusRange;
import dev.wharf.proto.config.v1.Upstream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rules for {@code upstreams[i]}. */
final class UpstreamRules {
  private UpstreamRules() {}

  static void check(List<Upstream> upstreams, Problems problems) {
    for (int i = 0; i < upstreams.size(); i++) {
      Upstream u = upstreams.get(i);
      String path = "upstreams[" + i + "]";
      problems.name(path + ".name", u.getName());
      endpoints(path, u, problems);
      if (u.hasBalancing()) {
        balancing(path + ".balancing", u.getBalancing(), problems);
      }
      if (u.hasHealthCheck()) {
        healthCheck(path + ".health_check", u.getHealthCheck(), problems);
      }
      if (u.hasOutlierDetection()) {
        outlierDetection(path + ".outlier_detection", u.getOutlierDetection(), problems);
      }
      problems.positive(path + ".connect_timeout", u.hasConnectTimeout(), u.getConnectTimeout());
      if (u.hasPool()) {
        pool(path + ".pool", u.getPool(), problems);
      }
      if (u.hasDrain()) {
        drain(path + ".drain", u.getDrain(), problems);
      }
      if (u.hasTls()) {
        UpstreamTlsRules.check(path + ".tls", u.getTls(), problems);
      }
    }
  }

  private static void endpoints(String path, Upstream u, Problems problems) {
    if (u.getEndpointsCount() == 0) {
      problems.add(path + ".endpoints", "an upstream needs at least one endpoint");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int j = 0; j < u.getEndpointsCount(); j++) {
      String ep = path + ".endpoints[" + j + "]";
      String address = u.getEndpoints(j).getAddress();
      if (address.isEmpty()) {
        problems.add(ep + ".address", "required (host:port)");
      } else {
        try {
          Addresses.parseHostPort(address);
        } catch (IllegalArgumentException e) {
          problems.add(ep + ".address", e.getMessage());
        }
        Integer other = seen.putIfAbsent(address, j);
        if (other != null) {
          problems.add(ep + ".address", "'" + address + "' is already endpoints[" + other + "]");
        }
      }
      problems.rangeOrUnset(ep + ".weight", u.getEndpoints(j).getWeight(), 1, 1000);
      if (u.getEndpoints(j).getBackup()) {
        LoadBalancing.Policy policy = u.getBalancing().getPolicy();
        if (policy == LoadBalancing.Policy.CONSISTENT_HASH
            || policy == LoadBalancing.Policy.RANDOM) {
          problems.add(
              ep + ".backup",
              "not with policy "
                  + MessageReader.enumName(policy.getValueDescriptor())
                  + " (as in nginx, only round_robin and least_connections have backups)");
        }
      }
    }
    if (u.getEndpointsCount() > 0 && u.getEndpointsList().stream().allMatch(e -> e.getBackup())) {
      problems.add(path + ".endpoints", "every endpoint is a backup: at least one must not be");
    }
  }

  /**
   * A route's {@code proxy.next_upstream} and {@code next_upstream_timeout}; here, beside the
   * upstream rules they go with.
   */
  static void nextUpstream(String path, ProxyAction p, Problems problems) {
    List<ProxyAction.NextUpstream> listed = p.getNextUpstreamList();
    for (int i = 0; i < listed.size(); i++) {
      ProxyAction.NextUpstream n = listed.get(i);
      String np = path + ".next_upstream[" + i + "]";
      if (n == ProxyAction.NextUpstream.NEXT_UPSTREAM_UNSPECIFIED
          || n == ProxyAction.NextUpstream.UNRECOGNIZED) {
        problems.add(np, "a condition is required (error, timeout, http_502, ..., off)");
      } else if (n == ProxyAction.NextUpstream.OFF && listed.size() > 1) {
        problems.add(np, "off cannot be combined with other conditions");
      } else if (listed.indexOf(n) != i) {
        problems.add(np, "listed twice");
      }
    }
    problems.positive(
        path + ".next_upstream_timeout", p.hasNextUpstreamTimeout(), p.getNextUpstreamTimeout());
  }

  private static void balancing(String path, LoadBalancing b, Problems problems) {
    boolean hashing = b.getPolicy() == LoadBalancing.Policy.CONSISTENT_HASH;
    if (hashing && b.getHashKey().isEmpty()) {
      problems.add(path + ".hash_key", "required by policy consistent_hash (e.g. $remote_addr)");
    } else if (!hashing && !b.getHashKey().isEmpty()) {
      problems.add(path + ".hash_key", "only used by policy consistent_hash");
    } else if (hashing) {
      // The key picks the endpoint, so it can only use what is known before one is picked.
      problems.template(path + ".hash_key", b.getHashKey(), Phase.REQUEST, -1);
    }
  }

  private static void healthCheck(String path, HealthCheck h, Problems problems) {
    problems.positive(path + ".interval", h.hasInterval(), h.getInterval());
    problems.positive(path + ".timeout", h.hasTimeout(), h.getTimeout());
    problems.notNegative(path + ".jitter", h.hasJitter(), h.getJitter());
    if (h.hasInterval()
        && h.hasTimeout()
        && Durations.compare(h.getTimeout(), h.getInterval()) > 0) {
      problems.add(
          path + ".timeout",
          Durations.format(h.getTimeout())
              + " is longer than the interval "
              + Durations.format(h.getInterval()));
    }
    problems.rangeOrUnset(path + ".healthy_threshold", h.getHealthyThreshold(), 1, 100);
    problems.rangeOrUnset(path + ".unhealthy_threshold", h.getUnhealthyThreshold(), 1, 100);
    switch (h.getCheckCase()) {
      case HTTP -> httpCheck(path + ".http", h.getHttp(), problems);
      case WEBSOCKET -> {
        if (!h.getWebsocket().getPath().startsWith("/")) {
          problems.add(path + ".websocket.path", "must start with '/'");
        }
      }
      case TCP -> {}
      case CHECK_NOT_SET -> problems.add(path, "set one of http, tcp, websocket");
    }
  }

  private static void httpCheck(String path, HttpHealthCheck http, Problems problems) {
    if (!http.getPath().startsWith("/")) {
      problems.add(path + ".path", "must start with '/'");
    }
    if (!http.getMethod().isEmpty() && !http.getMethod().matches("[A-Z]+")) {
      problems.add(path + ".method", "'" + http.getMethod() + "' is not an HTTP method");
    }
    for (int i = 0; i < http.getExpectedStatusesCount(); i++) {
      StatusRange r = http.getExpectedStatuses(i);
      String rp = path + ".expected_statuses[" + i + "]";
      problems.range(rp + ".min", r.getMin(), 100, 599);
      if (r.getMax() != 0) {
        problems.range(rp + ".max", r.getMax(), r.getMin(), 599);
      }
    }
  }

  private static void outlierDetection(String path, OutlierDetection o, Problems problems) {
    problems.rangeOrUnset(path + ".consecutive_failures", o.getConsecutiveFailures(), 1, 1000);
    problems.positive(
        path + ".base_ejection_time", o.hasBaseEjectionTime(), o.getBaseEjectionTime());
    problems.positive(path + ".max_ejection_time", o.hasMaxEjectionTime(), o.getMaxEjectionTime());
    if (o.hasBaseEjectionTime()
        && o.hasMaxEjectionTime()
        && Durations.compare(o.getBaseEjectionTime(), o.getMaxEjectionTime()) > 0) {
      problems.add(path + ".max_ejection_time", "shorter than base_ejection_time");
    }
    problems.range(path + ".max_ejection_percent", o.getMaxEjectionPercent(), 0, 100);
    problems.positive(path + ".failure_window", o.hasFailureWindow(), o.getFailureWindow());
  }

  private static void pool(String path, ConnectionPool p, Problems problems) {
    problems.range(path + ".max_idle_per_endpoint", p.getMaxIdlePerEndpoint(), 0, 10_000);
    problems.positive(path + ".idle_timeout", p.hasIdleTimeout(), p.getIdleTimeout());
  }

  /** Shared with routes, which may override their upstream's drain policy. */
  static void drain(String path, DrainPolicy d, Problems problems) {
    problems.notNegative(path + ".timeout", d.hasTimeout(), d.getTimeout());
    problems.notNegative(path + ".spread", d.hasSpread(), d.getSpread());
    problems.rangeOrUnset(path + ".max_closes_per_second", d.getMaxClosesPerSecond(), 1, 100_000);
    if (d.getMode() == DrainPolicy.Mode.KEEP
        && (d.hasTimeout() || d.hasSpread() || d.getMaxClosesPerSecond() != 0)) {
      problems.add(
          path + ".mode",
          "keep never closes connections, so timeout, spread and "
              + "max_closes_per_second have no effect; remove them or use close_after_timeout");
    }
  }
}
