package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.drain.Placement;
import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.HopByHop;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.upstream.UpstreamConnection;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.dataplane.upstream.UpstreamListener;
import dev.wharf.dataplane.websocket.WebSocketRelay;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.MatchResult;

/**
 * One request relayed to an upstream endpoint and its response relayed back.
 *
 * <p>Both bodies stream: the client connection is read one message at a time and only while
 * the upstream connection can take more; the upstream connection is read only while the client
 * can take more. Nothing is buffered whole.
 *
 * <p>Failures before any response byte reached the client are answered as nginx does: 502 when
 * the endpoint refused, reset or answered nonsense, 504 on a connect, read or send timeout, 503
 * when the upstream has no endpoint. After that, the client connection is closed, which is the
 * only honest way to say a response is incomplete.
 *
 * <p>Retries, as nginx's default {@code proxy_next_upstream error timeout}: a failed connect
 * goes to the next endpoint whatever the method (the request never left); a request that left
 * goes to the next endpoint when it is idempotent, no byte of its body was forwarded and no
 * byte of the response reached the client: the endpoint reset or closed the connection, or a
 * read or send timeout ran out. Both share the route's {@code connect_retries} budget.
 *
 * <p>Confined to the client connection's event loop; the upstream connection lives on the same
 * loop.
 */
public final class ProxyExchange implements UpstreamListener, ClientExchange {
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

  private final ChannelHandlerContext client;
  private final ProxyServices services;
  private final RoutedRequest routed;
  private final ProxyTarget target;
  private final HttpRequest request;
  private final RequestTarget requestTarget;
  private final MatchResult groups;
  private final RequestRecord record;
  private final ExchangeOwner owner;
  private final boolean webSocket;
  private final List<UpstreamEndpoint> tried = new ArrayList<>(2);

  private UpstreamConnection upstream;
  private long attemptStart;
  private long connectedAt = -1;
  private long headerAt = -1;
  private boolean retriedStale;
  /** What the client is answered when no endpoint is left to try: the last attempt's failure. */
  private HttpResponseStatus lastFailure = HttpResponseStatus.BAD_GATEWAY;
  private boolean requestDone;
  private boolean bodyForwarded;
  private boolean sentContinue;
  private boolean responseStarted;
  private boolean upstreamKeepAlive;
  private boolean clientKeepAlive;
  private HttpResponse upgrade;
  private boolean clientReadWanted;
  private boolean upstreamReadWanted;
  private final UpstreamDeadlines deadlines;
  private boolean finished;

  /**
   * @param client the context of the client connection's dispatcher; the exchange writes there
   * @param target what the route proxies to, and how
   * @param webSocket the request is a valid WebSocket handshake on a route that allows it
   */
  public ProxyExchange(ChannelHandlerContext client, ProxyServices services, RoutedRequest routed,
      ProxyTarget target, ExchangeOwner owner, boolean webSocket) {
    this.client = client;
    this.services = services;
    this.routed = routed;
    this.target = target;
    this.request = routed.request();
    this.requestTarget = routed.target();
    this.groups = routed.groups();
    this.record = routed.record();
    this.owner = owner;
    this.webSocket = webSocket;
    this.deadlines = new UpstreamDeadlines(client.channel().eventLoop(), services.node().ticker(),
        target.readTimeout(), target.sendTimeout(), this::onDeadline);
  }

  /** Picks an endpoint and connects; the client connection is not read until connected. */
  public void start() {
    connectNext(true);
  }

  // ---- connecting -----------------------------------------------------------------------------

  private void connectNext(boolean allowPooled) {
    String hashKey = target.upstream().hashKey() == null ? null
        : TemplateRenderer.render(target.upstream().hashKey(), record.request(), groups);
    UpstreamEndpoint endpoint =
        target.upstream().pick(hashKey, tried, now(), services.node().metrics());
    if (endpoint == null) {
      if (tried.isEmpty()) {
        services.node().metrics().upstreamError(target.upstream().name(), "", UpstreamErrorKind.NO_ENDPOINT);
        failBeforeResponse(HttpResponseStatus.SERVICE_UNAVAILABLE);
      } else {
        failBeforeResponse(lastFailure);
      }
      return;
    }
    tried.add(endpoint);
    record.upstreamAttempt(target.upstream().name(), endpoint.address());
    attemptStart = now();
    connectedAt = -1;
    headerAt = -1;
    endpoint.stats().acquired();
    Future<UpstreamConnection> connecting = services.connections()
        .acquire(client.channel().eventLoop(), endpoint, target.connectTimeout(), allowPooled);
    connecting.addListener(f -> onConnected(endpoint, connecting));
  }

  private void onConnected(UpstreamEndpoint endpoint, Future<UpstreamConnection> connecting) {
    if (!connecting.isSuccess()) {
      endpoint.stats().released();
      boolean timeout = connecting.cause() instanceof ConnectTimeoutException;
      UpstreamErrorKind kind =
          timeout ? UpstreamErrorKind.CONNECT_TIMEOUT : UpstreamErrorKind.CONNECT_REFUSED;
      attemptFailed(endpoint, kind, timeout ? 504 : 502);
      passiveOutcome(endpoint, false);
      lastFailure = timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
      if (finished) {
        return;
      }
      // The request never left: any method may go to the next endpoint, as nginx does.
      if (tried.size() <= target.connectRetries()) {
        connectNext(true);
      } else {
        failBeforeResponse(lastFailure);
      }
      return;
    }
    UpstreamConnection connection = connecting.getNow();
    if (finished) { // the client left while we were connecting
      endpoint.stats().released();
      services.connections().release(connection, target.upstream().pool());
      return;
    }
    upstream = connection;
    connectedAt = now();
    connection.attach(this);
    sendRequestHead();
  }

  /** Feeds passive ejection: connect failures, 5xx, resets and timeouts count against it. */
  private void passiveOutcome(UpstreamEndpoint endpoint, boolean success) {
    target.upstream().attemptEnded(endpoint, success, now(), services.node().metrics());
  }

  private void attemptFailed(UpstreamEndpoint endpoint, UpstreamErrorKind kind, int status) {
    services.node().metrics().upstreamError(target.upstream().name(), endpoint.address(), kind);
    long t = now();
    record.upstreamDone(status, connectedAt < 0 ? -1 : connectedAt - attemptStart,
        headerAt < 0 ? -1 : headerAt - attemptStart, t - attemptStart, null);
  }

  // ---- request: client to upstream ------------------------------------------------------------

  private void sendRequestHead() {
    Channel up = upstream.channel();
    up.write(UpstreamRequests.build(request, requestTarget, target, groups, record, webSocket));
    if (requestDone) { // a retry of a request whose (empty) body was already read
      up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      deadlines.awaitResponse();
    } else {
      up.flush();
      if (HttpUtil.is100ContinueExpected(request) && !sentContinue) {
        sentContinue = true;
        client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
      owner.readClient();
    }
    up.read(); // an endpoint may answer before the body is complete (an early 413, say)
  }

  /** A body part from the client; this exchange forwards or releases it. */
  public void onClientContent(HttpContent content) {
    if (finished || requestDone || upstream == null) {
      content.release();
      return;
    }
    int bytes = content.content().readableBytes();
    record.bodyReceived(bytes);
    if (routed.maxBodySize() > 0 && record.requestBodyBytes() > routed.maxBodySize()) {
      content.release();
      if (responseStarted) {
        abort();
      } else {
        failBeforeResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
      }
      return;
    }
    bodyForwarded |= bytes > 0;
    Channel up = upstream.channel();
    up.writeAndFlush(content);
    if (content instanceof LastHttpContent) {
      requestDone = true;
      deadlines.sendUnblocked();
      deadlines.awaitResponse();
    } else if (up.isWritable()) {
      owner.readClient();
    } else {
      clientReadWanted = true;
      deadlines.sendBlocked();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (finished) {
      return;
    }
    if (!writable) {
      if (!requestDone) {
        deadlines.sendBlocked();
      }
      return;
    }
    deadlines.sendUnblocked();
    if (clientReadWanted) {
      clientReadWanted = false;
      owner.readClient();
    }
  }

  // ---- response: upstream to client -----------------------------------------------------------

  @Override
  public void onUpstreamMessage(Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    deadlines.readSeen();
    if (msg instanceof HttpResponse response) {
      onResponseHead(response);
    }
    if (msg instanceof HttpContent content) {
      onResponseContent(content);
    }
  }

  private void onResponseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      upstreamFailed(UpstreamErrorKind.BAD_RESPONSE);
      return;
    }
    int code = response.status().code();
    if (code >= 200 || code == 101) {
      passiveOutcome(upstream.endpoint(), code < 500);
    }
    if (code == 101) {
      if (webSocket) {
        upgrade = response;
        headerAt = now();
      } else {
        upstreamFailed(UpstreamErrorKind.BAD_RESPONSE); // switching without being asked
      }
      return;
    }
    if (code < 200) {
      return; // 100 Continue and other interim answers: Wharf already spoke for itself
    }
    headerAt = now();
    responseStarted = true;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    clientKeepAlive = HttpUtil.isKeepAlive(request) && requestDone && owner.keepAliveAllowed();
    clientKeepAlive = ClientResponseHeads.prepare(response, request, clientKeepAlive,
        services.node().clock().instant());
    record.responded(code, response.headers());
    routed.responseHeaders().apply(response.headers(), record, groups);
    client.write(response);
  }

  private void onResponseContent(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      content.release();
      upstreamFailed(UpstreamErrorKind.BAD_RESPONSE);
      return;
    }
    if (upgrade != null) {
      content.release();
      if (content instanceof LastHttpContent) {
        switchToWebSocket();
      }
      return;
    }
    if (!responseStarted) {
      content.release(); // the end of an interim response
      return;
    }
    record.bodySent(content.content().readableBytes());
    if (content instanceof LastHttpContent) {
      client.writeAndFlush(content);
      responseComplete();
    } else {
      client.write(content);
    }
  }

  @Override
  public void onUpstreamReadComplete() {
    if (finished) {
      return;
    }
    client.flush();
    if (client.channel().isWritable()) {
      upstream.channel().read();
    } else {
      upstreamReadWanted = true;
    }
  }

  /** The client connection's writability changed (its dispatcher passes the event on). */
  public void onClientWritabilityChanged() {
    if (!finished && upstreamReadWanted && client.channel().isWritable()) {
      upstreamReadWanted = false;
      upstream.channel().read();
    }
  }

  private void responseComplete() {
    long t = now();
    record.upstreamDone(record.status(), connectedAt - attemptStart, headerAt - attemptStart,
        t - attemptStart, null);
    services.node().metrics().upstreamRequest(target.upstream().name(), upstream.endpoint().address(),
        record.status(), t - attemptStart);
    boolean reusable = upstreamKeepAlive && requestDone;
    releaseUpstream(reusable);
    finish(clientKeepAlive);
  }

  // ---- WebSocket ------------------------------------------------------------------------------

  private void switchToWebSocket() {
    HttpResponse response = upgrade;
    HopByHop.strip(response);
    response.headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
        .set(HttpHeaderNames.SERVER, Responses.SERVER);
    record.responded(101, response.headers());
    routed.responseHeaders().apply(response.headers(), record, groups);
    client.writeAndFlush(response);
    deadlines.cancelAll();
    finished = true;
    UpstreamConnection connection = upstream;
    upstream = null;
    connection.detach();
    long t = now();
    record.upstreamDone(101, connectedAt - attemptStart, headerAt - attemptStart,
        t - attemptStart, null);
    Placement placement = new Placement(routed.route(), target.upstream().name(),
        connection.endpoint().address(), target.drain());
    WebSocketRelay relay = WebSocketRelay.create(client.channel(), connection.channel(),
        placement, target.webSocketIdleTimeout(), record, services.node(), services.drainer(),
        () -> {
          connection.endpoint().stats().released();
          owner.exchangeFinished(record, false);
        });
    owner.switchToRelay(connection.channel(), relay.clientHandler(), relay.upstreamHandler());
    relay.start();
    if (owner.goingAway()) {
      relay.goAway(); // upgraded after the node drain began: no place in its schedule, close now
    }
  }

  // ---- failures and the end -------------------------------------------------------------------

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (finished) {
      return;
    }
    UpstreamConnection dead = upstream;
    if (replayable() && dead != null && dead.requests() > 1 && !retriedStale) {
      // A pooled connection the endpoint closed while we reused it: nothing was processed,
      // so try once more on a fresh connection.
      retriedStale = true;
      upstream = null;
      dead.endpoint().stats().released();
      tried.remove(dead.endpoint());
      connectNext(false);
      return;
    }
    upstreamFailed(cause == null ? UpstreamErrorKind.BAD_RESPONSE : UpstreamErrorKind.RESET);
  }

  /** Whether the request may go to another endpoint now: nothing of it is lost on the way. */
  private boolean replayable() {
    return !responseStarted && upgrade == null && !bodyForwarded
        && IDEMPOTENT.contains(request.method());
  }

  private void upstreamFailed(UpstreamErrorKind kind) {
    if (upstream != null) {
      attemptFailed(upstream.endpoint(), kind, 502);
      passiveOutcome(upstream.endpoint(), false);
    }
    lastFailure = kind == UpstreamErrorKind.READ_TIMEOUT || kind == UpstreamErrorKind.SEND_TIMEOUT
        ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
    if (responseStarted) {
      abort();
    } else if (replayable() && tried.size() <= target.connectRetries()) {
      releaseUpstream(false);
      connectNext(true);
    } else {
      failBeforeResponse(lastFailure);
    }
  }

  /** Answers the client with a short error; keeps its connection only if its request was read. */
  private void failBeforeResponse(HttpResponseStatus status) {
    releaseUpstream(false);
    boolean keepAlive = requestDone && HttpUtil.isKeepAlive(request);
    FullHttpResponse error = Responses.error(client.alloc(), status,
        request.method().equals(HttpMethod.HEAD), !keepAlive, services.node().clock().instant());
    record.responded(status.code(), error.headers());
    if (keepAlive) {
      client.writeAndFlush(error);
    } else {
      client.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }
    finish(keepAlive);
  }

  /** A response already under way cannot be completed: close the client connection. */
  private void abort() {
    releaseUpstream(false);
    client.close();
    finish(false);
  }

  /** The client stopped sending its body (client_body_timeout): 408, as nginx answers. */
  public void onClientBodyTimeout() {
    if (finished) {
      return;
    }
    if (responseStarted) {
      abort();
    } else {
      failBeforeResponse(HttpResponseStatus.REQUEST_TIMEOUT);
    }
  }

  /** The client connection closed; nginx logs such a request with status 499. */
  public void onClientClosed() {
    if (finished) {
      return;
    }
    if (!responseStarted) {
      record.responded(499, null);
    }
    releaseUpstream(false);
    finish(false);
  }

  private void releaseUpstream(boolean reusable) {
    deadlines.cancelAll();
    UpstreamConnection connection = upstream;
    if (connection == null) {
      return;
    }
    upstream = null;
    connection.endpoint().stats().released();
    if (reusable) {
      services.connections().release(connection, target.upstream().pool());
    } else {
      connection.detach();
      connection.channel().close();
    }
  }

  private void finish(boolean keepAlive) {
    if (finished) {
      return;
    }
    finished = true;
    deadlines.cancelAll();
    owner.exchangeFinished(record, keepAlive);
  }

  // ---- timeouts -------------------------------------------------------------------------------

  private void onDeadline(UpstreamErrorKind kind) {
    if (!finished && upstream != null) {
      upstreamFailed(kind);
    }
  }

  private long now() {
    return services.node().ticker().nanoTime();
  }
}
