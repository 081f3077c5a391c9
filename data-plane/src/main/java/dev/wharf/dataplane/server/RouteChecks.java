package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http2.ExtendedConnect;
import dev.wharf.dataplane.routing.CompiledRoute;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/** What a route refuses before anything is started for a request, once the route is known. */
final class RouteChecks {
  private RouteChecks() {}

  /**
   * {@code 413} for a declared body over the route's limit; {@code 501} for a WebSocket over an
   * HTTP/2 stream (RFC 8441) on a route that does not proxy WebSockets: answering it as an ordinary
   * request would tell the client its WebSocket is open. Null when the route takes the request.
   *
   * @param channel the request's channel: the connection, or an HTTP/2 stream
   */
  static HttpResponseStatus refusal(CompiledRoute route, HttpRequest request, Channel channel) {
    if (route.maxBodySize() > 0 && HttpUtil.getContentLength(request, -1L) > route.maxBodySize()) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    }
    if (Boolean.TRUE.equals(channel.attr(ExtendedConnect.WEBSOCKET).get())
        && (route.proxy() == null || !route.proxy().webSocketEnabled())) {
      return HttpResponseStatus.NOT_IMPLEMENTED;
    }
    return null;
  }
}
