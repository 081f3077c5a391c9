package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.drain.Placement;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.HopByHop;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.upstream.EndpointStats;
import dev.wharf.dataplane.upstream.UpstreamConnection;
import dev.wharf.dataplane.websocket.WebSocketRelay;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * The end of a proxied WebSocket handshake the endpoint accepted: the {@code 101} goes to the
 * client, a {@link WebSocketRelay} takes both connections, and the client connection's owner swaps
 * both pipelines over to it. From then on the exchange has nothing to do; the relay tells the owner
 * when the WebSocket ends.
 *
 * <p>Runs once, on the client connection's event loop, after the exchange let go of the upstream
 * connection (detached, its timers cancelled).
 */
final class WebSocketSwitch {
  private final ChannelHandlerContext client;
  private final ProxyServices services;
  private final RoutedRequest routed;
  private final ProxyTarget target;
  private final ExchangeOwner owner;

  WebSocketSwitch(
      ChannelHandlerContext client,
      ProxyServices services,
      RoutedRequest routed,
      ProxyTarget target,
      ExchangeOwner owner) {
    this.client = client;
    this.services = services;
    this.routed = routed;
    this.target = target;
    this.owner = owner;
  }

  /**
   * Writes {@code accepted}, the endpoint's {@code 101}, to the client with the node's own
   * connection headers and the route's response headers, then relays.
   *
   * <p>The request's status ({@code $status}, the request metrics) is what the client gets: {@code
   * 101} on HTTP/1.1, {@code 200} on an HTTP/2 stream (RFC 8441 5; the stream's pipeline rewrites
   * the head). The endpoint's {@code 101} stays in {@code $upstream_status}.
   */
  void complete(HttpResponse accepted, UpstreamConnection connection) {
    RequestRecord record = routed.record();
    HopByHop.strip(accepted);
    accepted
        .headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
        .set(HttpHeaderNames.SERVER, Responses.SERVER);
    boolean stream = client.channel() instanceof Http2StreamChannel;
    int status = stream ? 200 : 101;
    record.responded(status, accepted.headers());
    routed.responseHeaders().applyToResponse(accepted.headers(), status, record, routed.groups());
    client.writeAndFlush(accepted);
    relay(connection);
  }

  private void relay(UpstreamConnection connection) {
    Placement placement =
        new Placement(
            routed.route(),
            target.upstream().name(),
            connection.endpoint().address(),
            target.drain());
    RequestRecord record = routed.record();
    record.keepOnlyLogged(); // the heads are final; a WebSocket may live for days
    End end = new End(connection.endpoint().stats());
    WebSocketRelay relay =
        WebSocketRelay.create(
            client.channel(),
            connection.channel(),
            placement,
            target.webSocketIdleTimeout(),
            target.webSocketMaxMessageSize(),
            record,
            services.node(),
            services.drainer(),
            end);
    end.owner =
        owner.switchToRelay(
            connection.channel(), relay.clientHandler(), relay.upstreamHandler(), record);
    relay.start();
    if (owner.goingAway()) {
      relay.goAway(); // upgraded after the node drain began: no place in its schedule, close now
    }
  }

  /**
   * What the relay runs when the WebSocket ends: the endpoint's connection count, then the owner's
   * end of the request. Holds neither the exchange nor the owner, only what they handed over.
   */
  private static final class End implements Runnable {
    private final EndpointStats stats;
    private Runnable owner;

    End(EndpointStats stats) {
      this.stats = stats;
    }

    @Override
    public void run() {
      stats.released();
      owner.run();
    }
  }
}
