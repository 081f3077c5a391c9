package dev.wharf.dataplane.server;

import dev.wharf.dataplane.compression.ResponseCompression;
import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.files.StaticExchange;
import dev.wharf.dataplane.http.ClientProtocol;
import dev.wharf.dataplane.http.GoAway;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.proxy.ProxyExchange;
import dev.wharf.dataplane.proxy.ProxyServices;
import dev.wharf.dataplane.routing.CompiledRoute;
import dev.wharf.dataplane.routing.RoutingTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;

/**
 * Takes each request on a client connection to its route: checks the head (400, 414, 431, 413,
 * WebSocket handshake), selects the route on the snapshot current when the request started, answers
 * local routes and hands proxy routes to a {@link ProxyExchange}, static routes to a {@link
 * StaticExchange}; error pages go through {@link ErrorPageFilter}. When a request ends it feeds the
 * access log and the metrics. {@code AUTO_READ} is off: this handler asks for each message, so
 * pipelined requests wait their turn and a body is read only as fast as the endpoint takes it.
 *
 * <p>Runs on the connection's event loop; every message it is given is passed to the exchange or
 * released here.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter implements ExchangeOwner {
  private final ListenerContext listener;
  private final NodeServices services;
  private final ProxyServices proxy;
  private final ClientTimeouts timeouts;
  private final ResponseHandlers responseHandlers;
  private final ClientProtocol protocol;
  private final RequestEnds ends;
  private RouteAdmission admission;
  private ErrorPageFilter pages;
  private ChannelHandlerContext ctx;
  private NodeSnapshot snapshot;
  private ClientExchange exchange;
  private boolean goingAway;
  private boolean closing;
  private boolean awaitingMessage;

  /**
   * @param protocol HTTP/1.1 (this handler owns the connection) or HTTP/2 (one stream)
   */
  RequestDispatcher(
      ListenerContext listener,
      ClientTimeouts timeouts,
      ResponseHandlers responseHandlers,
      ClientProtocol protocol) {
    this.listener = listener;
    this.proxy = listener.services();
    this.services = proxy.node();
    this.timeouts = timeouts;
    this.responseHandlers = responseHandlers;
    this.protocol = protocol;
    this.ends = new RequestEnds(listener.name(), protocol, services);
  }

  /** Added once the client's protocol is known (ALPN), the connection is already active. */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.admission = new RouteAdmission(ctx, services, this);
    this.pages =
        ErrorPageFilter.install(
            ctx, listener.name(), services.clock(), () -> exchange, this::serve, this::respond);
    if (ctx.channel().isActive()) {
      opened();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    opened();
    ctx.fireChannelActive();
  }

  private void opened() {
    if (ends.connectionOpened()) {
      readClient();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientClosed();
    }
    ends.connectionClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    awaitingMessage = false;
    if (msg instanceof HttpContent content
        && !(msg instanceof HttpRequest)
        && content.decoderResult().isFailure()) {
      bodyMalformed(content);
      return;
    }
    if (exchange != null && msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) {
        timeouts.requestBodyRead();
      }
      exchange.onClientContent(content);
      return;
    }
    try {
      if (msg instanceof HttpRequest request) {
        dispatch(request);
      } else if (msg instanceof LastHttpContent && !closing) {
        timeouts.idle(); // the end of a body of a request answered locally, dropped
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (exchange == null && !closing) {
      readClient();
    }
  }

  /** A malformed body part: an exchange decides what it can still say, else the client closes. */
  private void bodyMalformed(HttpContent content) {
    content.release();
    timeouts.requestBodyRead();
    if (exchange != null) {
      exchange.onClientBodyMalformed();
    } else if (!closing) {
      closing = true;
      ctx.close();
    }
  }

  @Override
  public void readClient() {
    awaitingMessage = true;
    ctx.read();
  }

  /** A read can end without a whole message (half a head), which the codec keeps: read on. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (awaitingMessage && ctx.channel().isActive()) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientTimeouts.BodyTimeout.INSTANCE) {
      if (exchange != null) {
        exchange.onClientBodyTimeout();
      }
      return;
    }
    if (evt == GoAway.INSTANCE) {
      goingAway = true;
      if (exchange == null) {
        closing = true;
        ctx.close(); // idle: nothing to finish
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Checks the head, then routes the request; a head that fails a check is answered here. */
  private void dispatch(HttpRequest request) {
    snapshot = listener.snapshot().get();
    long start = services.ticker().nanoTime();
    timeouts.requestHeadRead(!(request instanceof LastHttpContent)); // whether a body follows
    HttpResponseStatus malformed = RequestChecks.malformedStatus(request);
    RequestTarget target = malformed == null ? RequestChecks.target(request) : null;
    if (malformed == null && target == null) {
      malformed = HttpResponseStatus.BAD_REQUEST;
    }
    if (malformed == null && !snapshot.listener(listener.name()).getUnderscoresInHeaders()) {
      RequestChecks.dropUnderscoredHeaders(request.headers());
    }
    RequestRecord record =
        listener.record(ctx.channel(), request, target, services.clock(), start, snapshot);
    FullHttpResponse early =
        BeforeRouting.answer(
            ctx, snapshot.listener(listener.name()), request, malformed, services.clock());
    if (early != null) {
      respond(record, request, early);
      return;
    }
    route(request, target, record, request.method().equals(HttpMethod.HEAD));
  }

  /**
   * Selects the route on the snapshot taken for this request (404 when none matches), refuses what
   * the route's limits ({@link RouteAdmission}) or access control ({@link AccessGate}) do not let
   * through, then hands the request to what the route serves.
   */
  private void route(
      HttpRequest request, RequestTarget target, RequestRecord record, boolean head) {
    RoutingTable.Selection selection =
        snapshot.routes().select(listener.name(), record.request().host(), target.path());
    pages.arm(selection == null ? null : selection.route(), snapshot.routes(), record, request);
    if (selection == null) {
      HttpResponseStatus notFound = HttpResponseStatus.NOT_FOUND;
      respond(record, request, Responses.error(ctx.alloc(), notFound, head, false, now()));
      return;
    }
    CompiledRoute route = selection.route();
    record.routed(route.name(), route.serverName());
    RoutedRequest routed =
        ListenerContext.routed(route, request, target, selection.groups(), record);
    // Limits first (nginx's preaccess phase), then access control; nothing is read meanwhile.
    Refusal limited =
        admission.refusal(
            route, routed, ctx.channel(), s -> checkAccess(route, routed, head, s, true));
    if (admission.waiting()) {
      exchange = admission;
    } else {
      checkAccess(route, routed, head, limited, false);
    }
  }

  private void checkAccess(
      CompiledRoute route, RoutedRequest r, boolean head, Refusal limited, boolean w) {
    exchange = w ? AccessGate.WAITING : exchange;
    if (AccessGate.check(
        ctx, services, route, r, head, limited, admission, no -> admit(route, r, head, no))) {
      exchange = AccessGate.WAITING;
    }
  }

  private void admit(
      CompiledRoute route, RoutedRequest routed, boolean head, FullHttpResponse refusal) {
    boolean waited = exchange == AccessGate.WAITING;
    exchange = null;
    if (refusal != null) {
      respond(routed.record(), routed.request(), refusal);
    } else {
      serve(route, routed, head);
    }
    if (waited && exchange == null && !closing) {
      readClient();
    }
  }

  /** Hands the request to what the route serves. */
  private void serve(CompiledRoute route, RoutedRequest routed, boolean head) {
    RequestRecord record = routed.record();
    HttpRequest request = routed.request();
    ResponseCompression compression = route.compression().forRequest(request);
    responseHandlers.prepare(ctx.pipeline(), route, compression, record);
    if (route.files() != null) {
      exchange =
          new StaticExchange(
              ctx,
              services,
              routed,
              route.files(),
              route.compression().proxied(),
              this,
              compression);
      exchange.start();
    } else if (route.proxy() == null) {
      respond(record, request, LocalActions.answer(ctx.alloc(), route, routed, head, now()));
    } else {
      startProxy(route, routed, head);
    }
  }

  /**
   * Starts the proxy exchange; a WebSocket handshake the route allows is checked first and a
   * malformed one refused here (with the version hint when the version is the problem).
   */
  private void startProxy(CompiledRoute route, RoutedRequest routed, boolean head) {
    HttpRequest request = routed.request();
    boolean upgrade = route.proxy().webSocketEnabled() && WebSocketHandshakes.isUpgrade(request);
    FullHttpResponse refused =
        upgrade ? WebSocketHandshakes.refuse(ctx.alloc(), request, head, now()) : null;
    if (refused != null) {
      respond(routed.record(), request, refused);
      return;
    }
    exchange = new ProxyExchange(ctx, proxy, routed, route.proxy(), this, upgrade);
    exchange.start();
  }

  /** Sends a response made here, then finishes the request as an exchange would. */
  private void respond(RequestRecord record, HttpRequest request, FullHttpResponse response) {
    if (pages.replaces(response)) {
      return; // an error page answers instead (ErrorPageFilter)
    }
    boolean keepAlive = keepAliveAllowed() && RequestChecks.keepsAlive(request, response);
    HttpUtil.setKeepAlive(response, keepAlive);
    record.responded(response.status().code(), response.headers());
    record.bodySent(response.content().readableBytes());
    if (keepAlive || protocol.isHttp2()) {
      ctx.writeAndFlush(response); // a stream ends with its response; the connection goes on
    } else {
      closing = true;
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
    finished(record);
  }

  @Override
  public void exchangeFinished(RequestRecord record, boolean keepAlive) {
    exchange = null;
    if (pages.exchangeReplaced(keepAlive)) { // its response gave way to an error page
      if (exchange == null && !closing && !protocol.isHttp2()) {
        timeouts.idle(); // the page was answered at once
        readClient();
      }
      return;
    }
    finished(record);
    if (protocol.isHttp2()) {
      return; // the stream ended with its response
    }
    if (keepAlive && keepAliveAllowed()) {
      timeouts.idle();
      readClient();
    } else if (!closing && ctx.channel().isActive()) {
      closing = true;
      // Written with Connection: close, or the exchange closed the connection; flush and close.
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Whether the next response may keep the connection open. */
  @Override
  public boolean keepAliveAllowed() {
    return !goingAway() && (protocol.isHttp2() || timeouts.keepAliveEnabled());
  }

  @Override
  public boolean goingAway() {
    return goingAway || protocol.isHttp2() && GoAway.sent(ctx.channel());
  }

  @Override
  public Runnable switchToRelay(
      Channel upstream, ChannelHandler clientRelay, ChannelHandler upstreamRelay, RequestRecord r) {
    WebSocketRelayPipeline.install(
        protocol.isHttp2(), ctx.pipeline(), this, clientRelay, upstream.pipeline(), upstreamRelay);
    exchange = null; // the relay's now; this handler left the pipeline and hears nothing more
    return new WebSocketEnd(r, admission.handOver(), ends, snapshot);
  }

  private void finished(RequestRecord record) {
    pages.reset();
    admission.requestEnded();
    ends.finished(record, snapshot);
  }

  private Instant now() {
    return services.clock().instant();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset or a broken pipe; channelInactive cleans up
  }
}
