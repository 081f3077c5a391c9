package dev.wharf.dataplane.server;

import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.HeaderValues;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.dataplane.routing.CompiledRoute;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.regex.MatchResult;

/**
 * Route actions answered by the node itself: {@code respond} and {@code redirect}. Proxy and static
 * routes never come here; anything else is answered {@code 501}, so no request hangs. A redirect
 * whose location would carry a control character is answered {@code 400}.
 */
final class LocalActions {
  private LocalActions() {}

  /** The response of a route with neither files nor a proxy, its response headers applied. */
  static FullHttpResponse answer(
      ByteBufAllocator alloc,
      CompiledRoute route,
      RoutedRequest routed,
      boolean head,
      Instant now) {
    RequestRecord record = routed.record();
    FullHttpResponse response = respond(alloc, route, routed.groups(), record, head, now);
    route
        .responseHeaders()
        .applyToResponse(response.headers(), response.status().code(), record, routed.groups());
    return response;
  }

  static FullHttpResponse respond(
      ByteBufAllocator alloc,
      CompiledRoute route,
      MatchResult groups,
      TemplateRenderer.VariableSource variables,
      boolean head,
      Instant now) {
    var config = route.config();
    if (config.hasRespond()) {
      RespondAction respond = config.getRespond();
      int status = respond.getStatus() == 0 ? 200 : respond.getStatus();
      String body = TemplateRenderer.render(route.respondBody(), variables, groups);
      String type =
          respond.getContentType().isEmpty()
              ? "text/plain; charset=utf-8"
              : respond.getContentType();
      return Responses.text(alloc, HttpResponseStatus.valueOf(status), type, body, head, now);
    }
    if (config.hasRedirect()) {
      RedirectAction redirect = config.getRedirect();
      int status = redirect.getStatus() == 0 ? 302 : redirect.getStatus();
      String location = TemplateRenderer.render(route.redirectLocation(), variables, groups);
      if (!HeaderValues.isSafe(location)) {
        // A decoded $uri or capture brought CR, LF or NUL: no URL to send anyone to. The
        // request is the client's error, answered and logged like any other.
        return Responses.error(alloc, HttpResponseStatus.BAD_REQUEST, head, true, now);
      }
      FullHttpResponse response =
          Responses.error(alloc, HttpResponseStatus.valueOf(status), head, false, now);
      response.headers().set(HttpHeaderNames.LOCATION, location);
      return response;
    }
    return Responses.error(alloc, HttpResponseStatus.NOT_IMPLEMENTED, head, false, now);
  }
}
