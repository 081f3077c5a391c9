package dev.wharf.cli.output;

import dev.wharf.config.PathMatches;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.HealthCheck;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.LoadBalancing;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.List;
import java.util.Locale;

/**
 * The {@code get} tables: the name and what one wants to see at a glance, per kind. Paths are
 * written as nginx writes locations ({@code = /}, {@code ^~ /ws}, {@code ~* \.png$}); an empty host
 * or listener list, which means "all", is shown as {@code *}.
 */
public final class ObjectTables {
  private ObjectTables() {}

  public static Table of(ObjectKind kind, List<ConfigObject> objects) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER -> listeners(objects);
      case OBJECT_KIND_UPSTREAM -> upstreams(objects);
      default -> routes(objects);
    };
  }

  private static Table listeners(List<ConfigObject> objects) {
    Table t = new Table("NAME", "ADDRESS", "ACCESS LOG");
    for (ConfigObject o : objects) {
      Listener l = o.getListener();
      String host = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
      String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + l.getPort();
      t.row(l.getName(), address, l.hasAccessLog() ? l.getAccessLog().getPath() : "");
    }
    return t;
  }

  private static Table upstreams(List<ConfigObject> objects) {
    Table t = new Table("NAME", "ENDPOINTS", "BALANCING", "HEALTH CHECK");
    for (ConfigObject o : objects) {
      Upstream u = o.getUpstream();
      t.row(
          u.getName(),
          u.getEndpointsCount(),
          balancing(u.getBalancing()),
          u.hasHealthCheck() ? healthCheck(u.getHealthCheck()) : "");
    }
    return t;
  }

  private static Table routes(List<ConfigObject> objects) {
    Table t = new Table("NAME", "HOSTS", "PATH", "ACTION", "LISTENERS");
    for (ConfigObject o : objects) {
      Route r = o.getRoute();
      t.row(
          r.getName(),
          allIfEmpty(r.getMatch().getHostsList()),
          path(r.getMatch().getPath()),
          action(r),
          allIfEmpty(r.getListenersList()));
    }
    return t;
  }

  static String path(PathMatch p) {
    return PathMatches.text(p);
  }

  static String action(Route r) {
    return switch (r.getActionCase()) {
      case PROXY ->
          "proxy "
              + r.getProxy().getUpstream()
              + (r.getProxy().hasRewrite()
                  ? " (rewrite "
                      + r.getProxy().getRewrite().getRegex()
                      + " "
                      + r.getProxy().getRewrite().getReplacement()
                      + ")"
                  : "");
      case STATIC ->
          "static "
              + (r.getStatic().getRoot().isEmpty()
                  ? "alias " + r.getStatic().getAlias()
                  : r.getStatic().getRoot());
      case REDIRECT ->
          "redirect "
              + orDefault(r.getRedirect().getStatus(), 302)
              + " "
              + r.getRedirect().getLocation();
      case RESPOND -> "respond " + orDefault(r.getRespond().getStatus(), 200);
      default -> "";
    };
  }

  private static String balancing(LoadBalancing b) {
    String policy =
        switch (b.getPolicy()) {
          case LEAST_CONNECTIONS -> "least_connections";
          case CONSISTENT_HASH -> "consistent_hash";
          case RANDOM -> "random";
          default -> "round_robin";
        };
    return b.getHashKey().isEmpty() ? policy : policy + " " + b.getHashKey();
  }

  private static String healthCheck(HealthCheck h) {
    String kind =
        switch (h.getCheckCase()) {
          case HTTP -> "http " + h.getHttp().getPath();
          case TCP -> "tcp";
          case WEBSOCKET -> "websocket " + h.getWebsocket().getPath();
          default -> h.getCheckCase().toString().toLowerCase(Locale.ROOT);
        };
    return h.hasInterval()
        ? kind
            + " every "
            + DurationText.of(
                java.time.Duration.ofSeconds(
                    h.getInterval().getSeconds(), h.getInterval().getNanos()))
        : kind;
  }

  private static int orDefault(int status, int unset) {
    return status == 0 ? unset : status;
  }

  private static String allIfEmpty(List<String> names) {
    return names.isEmpty() ? "*" : String.join(",", names);
  }
}
