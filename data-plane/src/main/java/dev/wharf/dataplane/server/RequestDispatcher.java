package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.routing.CompiledRoute;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.routing.UriPaths;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;

/**
 * Takes each request on a client connection to its route: checks the head (400, 414, 431, 413),
 * selects the route on the routing table current when the request started, and runs its action.
 * Request bodies of routes that answer locally are read and dropped, so keep-alive continues.
 *
 * <p>Runs on the connection's event loop; every message it is given is released here.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
  private final ListenerContext listener;

  RequestDispatcher(ListenerContext listener) {
    this.listener = listener;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request) {
        dispatch(ctx, request);
      }
      // The rest of a body of a request answered here is dropped (released below).
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, HttpRequest request) {
    Instant now = listener.clock().instant();
    boolean head = request.method().equals(HttpMethod.HEAD);
    HttpResponseStatus malformed = malformedStatus(request);
    if (malformed != null) {
      sendAndClose(ctx, Responses.error(ctx.alloc(), malformed, head, true, now));
      return;
    }
    RequestTarget target;
    try {
      target = RequestTarget.parse(request.uri());
    } catch (UriPaths.BadPathException e) {
      sendAndClose(ctx, Responses.error(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, head, true,
          now));
      return;
    }
    RoutingTable table = listener.routes().get();
    RoutingTable.Selection selection =
        table.select(listener.name(), RequestVariables.hostOf(request), target.path());
    if (selection == null) {
      send(ctx, request, Responses.error(ctx.alloc(), HttpResponseStatus.NOT_FOUND, head, false,
          now));
      return;
    }
    CompiledRoute route = selection.route();
    if (route.maxBodySize() > 0 && HttpUtil.getContentLength(request, -1L) > route.maxBodySize()) {
      sendAndClose(ctx, Responses.error(ctx.alloc(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          head, true, now));
      return;
    }
    RequestVariables variables = new RequestVariables(request, target,
        ctx.channel().remoteAddress(), ctx.channel().localAddress(), listener.hostname(),
        listener.requestIds().get(), now, listener.clock().getZone());
    send(ctx, request, LocalActions.respond(ctx.alloc(), route, selection.groups(), variables,
        head, now));
  }

  /** The status nginx answers a request head with that it cannot accept, or null. */
  private static HttpResponseStatus malformedStatus(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return HttpResponseStatus.REQUEST_URI_TOO_LONG;
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      }
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && !request.headers().contains(HttpHeaderNames.HOST)) {
      return HttpResponseStatus.BAD_REQUEST; // RFC 9112 3.2, as nginx
    }
    if (request.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    return null;
  }

  private static void send(ChannelHandlerContext ctx, HttpRequest request,
      FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request)
        && !response.headers().contains(HttpHeaderNames.CONNECTION, "close", true));
    ctx.writeAndFlush(response);
  }

  private static void sendAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
