package dev.wharf.dataplane.server;

import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.ratelimit.ConnectionLeases;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.dataplane.routing.CompiledRoute;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A route's rate limits applied to the requests of one client connection (or HTTP/2 stream), in
 * nginx's order: limit_req first, which refuses the request, lets it go on, or delays it; then,
 * once any delay is over, limit_conn, whose counts are held until the request ends ({@link
 * #requestEnded}).
 *
 * <p>A delay is a timer on the connection's event loop, never a blocked thread; while it runs this
 * object stands in as the dispatcher's exchange, so nothing more is read from the client, and a
 * client that goes away meanwhile ends the request (logged as nginx's 499).
 *
 * <p>Used on the connection's event loop only.
 */
final class RouteAdmission implements ClientExchange {
  private final ChannelHandlerContext ctx;
  private final NodeServices services;
  private final ExchangeOwner owner;
  private ConnectionLeases leases = ConnectionLeases.NONE;
  private ScheduledFuture<?> delay;
  private RequestRecord waiting;

  RouteAdmission(ChannelHandlerContext ctx, NodeServices services, ExchangeOwner owner) {
    this.ctx = ctx;
    this.services = services;
    this.owner = owner;
  }

  /**
   * What the route refuses before anything is started ({@link RouteChecks}), then its limits: the
   * refusal (which says whether the connection survives it), or null when the request goes on, at
   * once ({@link #waiting()} false) or after a delay, when {@code then} is called on the event loop
   * with null (go on) or limit_conn's refusal.
   */
  Refusal refusal(
      CompiledRoute route, RoutedRequest routed, Channel channel, Consumer<Refusal> then) {
    HttpResponseStatus refused = RouteChecks.refusal(route, routed.request(), channel);
    return refused != null
        ? Refusal.bodyUnread(refused)
        : admit(route.limits(), routed.record(), then);
  }

  /** The dispatcher, told when a request ends without a response (its client left). */
  ExchangeOwner owner() {
    return owner;
  }

  Refusal admit(RouteLimits limits, RequestRecord record, Consumer<Refusal> then) {
    if (limits == RouteLimits.NONE) {
      return null;
    }
    long verdict =
        limits.requestVerdict(record.request(), services.ticker().nanoTime() / 1_000_000);
    if (verdict < 0) {
      return Refusal.byLimit(HttpResponseStatus.valueOf((int) -verdict));
    }
    if (verdict == 0) {
      return acquire(limits, record);
    }
    waiting = record;
    delay =
        ctx.executor()
            .schedule(
                () -> {
                  delay = null;
                  waiting = null;
                  then.accept(acquire(limits, record));
                },
                verdict,
                TimeUnit.MILLISECONDS);
    return null;
  }

  /** Whether the request admitted last waits for its delay to end. */
  boolean waiting() {
    return delay != null;
  }

  private Refusal acquire(RouteLimits limits, RequestRecord record) {
    if (!limits.hasConnectionLimits()) {
      return null;
    }
    ConnectionLeases got = limits.acquire(record.request());
    if (got.refusedStatus() != 0) {
      return Refusal.byLimit(HttpResponseStatus.valueOf(got.refusedStatus()));
    }
    leases = got;
    return null;
  }

  /** The request ended: its limit_conn counts are given back. */
  /** The request's leases, which its WebSocket keeps until it ends; none are left here. */
  ConnectionLeases handOver() {
    ConnectionLeases held = leases;
    leases = ConnectionLeases.NONE;
    return held;
  }

  void requestEnded() {
    leases.release();
    leases = ConnectionLeases.NONE;
  }

  @Override
  public void start() {}

  @Override
  public void onClientContent(HttpContent content) {
    content.release(); // not asked for while waiting
  }

  @Override
  public void onClientWritabilityChanged() {}

  @Override
  public void onClientBodyMalformed() {}

  @Override
  public void onClientBodyTimeout() {}

  @Override
  public void onClientClosed() {
    if (delay != null) {
      delay.cancel(false);
      delay = null;
      RequestRecord record = waiting;
      waiting = null;
      record.responded(499, EmptyHttpHeaders.INSTANCE);
      owner.exchangeFinished(record, false);
    }
  }
}
