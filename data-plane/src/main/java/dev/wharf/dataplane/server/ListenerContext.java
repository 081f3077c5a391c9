package dev.wharf.dataplane.server;

import dev.wharf.dataplane.accesslog.AccessLogger;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.ClientProtocol;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.proxy.ProxyServices;
import dev.wharf.dataplane.routing.CompiledRoute;
import dev.wharf.dataplane.tls.TlsListeners;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.MatchResult;

/**
 * What every connection of one listener shares: the listener's name, where to read the current
 * snapshot from (a connection reads its limits from it when accepted, a request its routes when its
 * head arrives), the node's proxy services, and the id source.
 *
 * @param hostname this machine's name for {@code $hostname}, resolved once at startup
 * @param tls the node's TLS terminators; a connection asks it when accepted whether its listener
 *     terminates TLS
 */
record ListenerContext(
    String name,
    Supplier<NodeSnapshot> snapshot,
    ProxyServices services,
    String hostname,
    Supplier<String> requestIds,
    TlsListeners tls) {

  /**
   * The record of a request that arrived on {@code channel} (a connection or a stream) at {@code
   * startNanos}, with its variables; {@code target} is null when the request's could not be parsed.
   * {@code snapshot} is the one the request is served on: its maps, and what its access log
   * renders.
   */
  RequestRecord record(
      Channel channel,
      HttpRequest request,
      RequestTarget target,
      Clock clock,
      long startNanos,
      NodeSnapshot snapshot) {
    AccessLogger log = snapshot.accessLogs().get(name);
    return new RequestRecord(
        new RequestVariables(
            request,
            target != null ? target : new RequestTarget(request.uri(), ""),
            ClientProtocol.connectionOf(channel),
            hostname,
            requestIds,
            clock.instant(),
            clock.getZone()),
        startNanos,
        snapshot.routes().maps(),
        log == null ? List.of() : log.variables());
  }

  /** A request taken to {@code route}, as the exchanges see it. */
  static RoutedRequest routed(
      CompiledRoute route,
      HttpRequest request,
      RequestTarget target,
      MatchResult groups,
      RequestRecord record) {
    return new RoutedRequest(
        request,
        target,
        groups,
        record,
        route.name(),
        route.maxBodySize(),
        route.responseHeaders());
  }
}
