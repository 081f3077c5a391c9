package dev.wharf.dataplane.routing;

import dev.wharf.config.Template;
import dev.wharf.dataplane.access.AccessControl;
import dev.wharf.dataplane.compression.CompressionSettings;
import dev.wharf.dataplane.files.StaticSite;
import dev.wharf.dataplane.http.HeaderRuleSet;
import dev.wharf.dataplane.proxy.ProxyTarget;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.Route;
import java.util.Locale;

/**
 * A route as the data plane runs it: the config it came from, and what is compiled from it once per
 * snapshot rather than once per request.
 *
 * @param index position in the snapshot's route list (regex routes are tried in this order)
 * @param config the route as configured
 * @param respondBody the body template of a respond route, else null
 * @param redirectLocation the location template of a redirect route, else null
 * @param maxBodySize largest request body accepted, in bytes; 0 means no limit
 * @param proxy what a proxy route does, else null
 * @param files what a static route serves, else null
 * @param compression the route's compression, or its listener's when it has none
 * @param responseHeaders header rules for every response of the route
 * @param limits the route's limit_req and limit_conn, on the node's zones
 * @param access who may use the route (allow/deny, basic auth), else null
 */
public record CompiledRoute(
    int index,
    Route config,
    Template respondBody,
    Template redirectLocation,
    long maxBodySize,
    ProxyTarget proxy,
    StaticSite files,
    CompressionSettings compression,
    HeaderRuleSet responseHeaders,
    RouteLimits limits,
    AccessControl access) {
  /** nginx's client_max_body_size default. */
  static final long DEFAULT_MAX_BODY_SIZE = 1L << 20;

  /**
   * @param proxy the route's compiled proxy action (shared by its listeners), else null
   * @param listenerCompression the compression of the listener the route is compiled for
   */
  static CompiledRoute compile(
      int index,
      Route route,
      ProxyTarget proxy,
      RouteLimits limits,
      Compression listenerCompression) {
    return new CompiledRoute(
        index,
        route,
        route.hasRespond() ? Template.parse(route.getRespond().getBody()) : null,
        route.hasRedirect() ? Template.parse(route.getRedirect().getLocation()) : null,
        route.hasMaxBodySize() ? route.getMaxBodySize().getBytes() : DEFAULT_MAX_BODY_SIZE,
        proxy,
        route.hasStatic() ? StaticSite.compile(route) : null,
        CompressionSettings.compile(
            route.hasCompression() ? route.getCompression() : listenerCompression),
        HeaderRuleSet.compile(route.getResponseHeaders()),
        limits,
        AccessControl.compile(route));
  }

  /** This compiled route at another position in the route list (its config unchanged). */
  CompiledRoute at(int newIndex) {
    return new CompiledRoute(
        newIndex,
        config,
        respondBody,
        redirectLocation,
        maxBodySize,
        proxy,
        files,
        compression,
        responseHeaders,
        limits,
        access);
  }

  public String name() {
    return config.getName();
  }

  /**
   * nginx's {@code $server_name}: the first name of the server the request was matched in, which
   * here is the route's first host pattern, printed as nginx prints it (lower case, {@code
   * .example.com} without its dot, a regex as written with its {@code ~}); "" for a route of every
   * host. nginx prints {@code _} for {@code server_name _}, which the importer turns into no hosts.
   */
  public String serverName() {
    if (config.getMatch().getHostsCount() == 0) {
      return "";
    }
    String first = config.getMatch().getHosts(0);
    if (first.startsWith("~")) {
      return first;
    }
    return (first.startsWith(".") ? first.substring(1) : first).toLowerCase(Locale.ROOT);
  }
}
