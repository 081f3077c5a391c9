package dev.wharf.dataplane.server;

import dev.wharf.dataplane.access.AccessControl;
import dev.wharf.dataplane.clientaddress.ClientAddress;
import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.routing.CompiledRoute;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The route's access control, once its limits let the request through ({@link RouteAdmission}):
 * 403, or 401 with nginx's {@code WWW-Authenticate}. A bcrypt check runs off the event loop;
 * meanwhile the dispatcher holds {@link #WAITING} as its exchange, so nothing more is read from the
 * client, and the outcome comes back on the connection's event loop.
 */
final class AccessGate {
  /** nginx's status for a request whose client left before it was answered. */
  static final HttpResponseStatus CLIENT_CLOSED = HttpResponseStatus.valueOf(499);

  /** The dispatcher's exchange while a check runs: nothing is asked of the client meanwhile. */
  static final ClientExchange WAITING =
      new ClientExchange() {
        @Override
        public void start() {}

        @Override
        public void onClientContent(HttpContent content) {
          content.release(); // not asked for; nothing is read while waiting
        }

        @Override
        public void onClientWritabilityChanged() {}

        @Override
        public void onClientBodyMalformed() {}

        @Override
        public void onClientBodyTimeout() {}

        @Override
        public void onClientClosed() {}
      };

  private AccessGate() {}

  /**
   * Calls {@code then} with null when the request may be served, or with the response refusing it
   * (also when the route refused it first: {@code limited}, whose refusal says whether the
   * connection survives it; access control's 403 and 401 keep it): at once, or later on the
   * connection's event loop.
   *
   * @param admission the request's admission, whose owner is told that the request ended instead of
   *     {@code then} when the client left while a check ran off the event loop
   * @return true when {@code then} or the owner will be called later (a check runs off the event
   *     loop)
   */
  static boolean check(
      ChannelHandlerContext ctx,
      NodeServices services,
      CompiledRoute route,
      RoutedRequest routed,
      boolean head,
      Refusal limited,
      RouteAdmission admission,
      Consumer<FullHttpResponse> then) {
    if (limited != null || route.access() == null) {
      then.accept(
          limited == null ? null : limited.response(ctx.alloc(), head, services.clock().instant()));
      return false;
    }
    HttpRequest request = routed.request();
    RequestRecord record = routed.record();
    ClientAddress client = record.request().client();
    InetAddress address = client == null ? null : client.remote().getAddress();
    if (address == null) {
      then.accept(error(ctx, services, HttpResponseStatus.FORBIDDEN, head));
      return false;
    }
    CompletableFuture<AccessControl.Outcome> outcome =
        route
            .access()
            .check(
                address,
                request.headers().get(HttpHeaderNames.AUTHORIZATION),
                services.ticker().nanoTime(),
                services.files(),
                services.passwords());
    if (outcome.isDone()) {
      then.accept(response(ctx, services, route, outcome.join(), head));
      return false;
    }
    outcome.whenComplete(
        (result, failure) ->
            ctx.channel()
                .eventLoop()
                .execute(
                    () -> {
                      if (!ctx.channel().isActive()) {
                        // The client left while the check ran: nothing is written to its closed
                        // channel, the request ends as nginx logs it (499).
                        record.responded(CLIENT_CLOSED.code(), EmptyHttpHeaders.INSTANCE);
                        admission.owner().exchangeFinished(record, false);
                      } else {
                        AccessControl.Outcome o =
                            failure == null ? result : AccessControl.Outcome.UNAUTHORIZED;
                        then.accept(response(ctx, services, route, o, head));
                      }
                    }));
    return true;
  }

  private static FullHttpResponse response(
      ChannelHandlerContext ctx,
      NodeServices services,
      CompiledRoute route,
      AccessControl.Outcome outcome,
      boolean head) {
    return switch (outcome) {
      case ALLOWED -> null;
      case FORBIDDEN -> error(ctx, services, HttpResponseStatus.FORBIDDEN, head);
      case UNAUTHORIZED -> {
        FullHttpResponse r = error(ctx, services, HttpResponseStatus.UNAUTHORIZED, head);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, route.access().challenge());
        yield r;
      }
      case BUSY -> {
        // Every password check slot is taken (a flood of guesses): ask the client to come back
        // instead of queueing without bound; the connection stays, as for 401.
        FullHttpResponse r = error(ctx, services, HttpResponseStatus.SERVICE_UNAVAILABLE, head);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        yield r;
      }
    };
  }

  /** Access control's refusal (403, 401, 503): the connection stays open, as nginx's does. */
  private static FullHttpResponse error(
      ChannelHandlerContext ctx, NodeServices services, HttpResponseStatus status, boolean head) {
    return Responses.error(ctx.alloc(), status, head, false, services.clock().instant());
  }
}
