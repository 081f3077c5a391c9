package dev.wharf.cli.output;

import com.google.protobuf.Duration;
import dev.wharf.config.Durations;
import dev.wharf.config.Sizes;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code get -o wide}: the tables of {@link ObjectTables} with the columns one looks for second:
 * what a listener terminates and expects in front of it, where an upstream's endpoints are and how
 * it is reached, a route's timeouts and body limit. Unset values are shown as {@code -} (the
 * default applies; docs/configuration.md says which).
 */
final class WideTables {
  private WideTables() {}

  static Table of(ObjectKind kind, List<ConfigObject> objects) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER -> listeners(objects);
      case OBJECT_KIND_UPSTREAM -> upstreams(objects);
      default -> routes(objects);
    };
  }

  private static Table listeners(List<ConfigObject> objects) {
    Table t =
        new Table(
            "NAME", "ADDRESS", "ACCESS LOG", "TLS", "HTTPS REDIRECT", "PROXY PROTOCOL", "REAL IP");
    for (ConfigObject o : objects) {
      Listener l = o.getListener();
      Table narrow = ObjectTables.of(ObjectKind.OBJECT_KIND_LISTENER, List.of(o));
      t.row(
          l.getName(),
          narrow.cell(0, 1),
          narrow.cell(0, 2),
          l.hasTls() ? "yes" : "",
          l.hasHttpsRedirect() ? "yes" : "",
          l.hasProxyProtocol() ? "yes" : "",
          l.hasRealIp() ? realIpHeader(l.getRealIp().getHeader()) : "");
    }
    return t;
  }

  private static Table upstreams(List<ConfigObject> objects) {
    Table t =
        new Table(
            "NAME",
            "ENDPOINTS",
            "BALANCING",
            "HEALTH CHECK",
            "ADDRESSES",
            "TLS",
            "CONNECT TIMEOUT");
    for (ConfigObject o : objects) {
      Upstream u = o.getUpstream();
      Table narrow = ObjectTables.of(ObjectKind.OBJECT_KIND_UPSTREAM, List.of(o));
      t.row(
          u.getName(),
          narrow.cell(0, 1),
          narrow.cell(0, 2),
          narrow.cell(0, 3),
          u.getEndpointsList().stream().map(Endpoint::getAddress).collect(Collectors.joining(",")),
          u.hasTls() ? "yes" : "",
          duration(u.hasConnectTimeout(), u.getConnectTimeout()));
    }
    return t;
  }

  private static Table routes(List<ConfigObject> objects) {
    Table t =
        new Table(
            "NAME",
            "HOSTS",
            "PATH",
            "ACTION",
            "LISTENERS",
            "READ TIMEOUT",
            "SEND TIMEOUT",
            "MAX BODY");
    for (ConfigObject o : objects) {
      Route r = o.getRoute();
      Table narrow = ObjectTables.of(ObjectKind.OBJECT_KIND_ROUTE, List.of(o));
      t.row(
          r.getName(),
          narrow.cell(0, 1),
          narrow.cell(0, 2),
          narrow.cell(0, 3),
          narrow.cell(0, 4),
          duration(r.getProxy().hasReadTimeout(), r.getProxy().getReadTimeout()),
          duration(r.getProxy().hasSendTimeout(), r.getProxy().getSendTimeout()),
          r.hasMaxBodySize() ? Sizes.format(r.getMaxBodySize()) : "");
    }
    return t;
  }

  private static String realIpHeader(String header) {
    return header.isEmpty() ? "X-Forwarded-For" : header;
  }

  private static String duration(boolean set, Duration d) {
    return set ? Durations.format(d) : "";
  }
}
