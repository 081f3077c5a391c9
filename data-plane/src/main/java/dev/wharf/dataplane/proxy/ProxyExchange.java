package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.upstream.UpstreamConnection;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.dataplane.upstream.UpstreamListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * One request relayed to an upstream endpoint and its response relayed back, as a state machine:
 * {@link ProxyPhase} lists the phases and their legal moves, {@link #moveTo} is the only place the
 * phase changes, and every event handler starts from the phase. Kept apart: the request side and
 * what it knows, which outlives an attempt ({@link RequestForwarding}: body read, body bytes
 * forwarded, {@code 100 Continue} sent), the response side ({@link ResponseForwarding}), the retry
 * rules, nginx's {@code proxy_next_upstream} ({@link RetryPolicy}), the endpoint picked and what
 * one attempt reports ({@link UpstreamAttempt}) and the WebSocket switch ({@link WebSocketSwitch}).
 * Both bodies stream, each connection read only while the other can take more; nothing is buffered
 * whole. Failures before any response byte reached the client are answered as nginx does: 502
 * (refused, reset, nonsense), 504 (a connect, read or send timeout), 503 (no endpoint). After that,
 * the client connection is closed, the only honest way to say a response is incomplete. Confined to
 * the client connection's event loop, where the upstream connection lives too.
 */
public final class ProxyExchange implements UpstreamListener, ClientExchange {
  private final ChannelHandlerContext client;
  private final ProxyServices services;
  private final RoutedRequest routed;
  private final ProxyTarget target;
  private final RequestRecord record;
  private final ExchangeOwner owner;
  private final boolean webSocket;
  private final RetryPolicy retry;
  private final UpstreamDeadlines deadlines;
  private final RequestForwarding forwarding;
  private final ResponseForwarding responding;

  private ProxyPhase phase = ProxyPhase.CONNECTING;
  private UpstreamConnection upstream; // set exactly in the phases ProxyPhase.attached() names
  private UpstreamAttempt attempt;
  private HttpResponse upgrade;

  /**
   * @param client the context of the client connection's dispatcher; the exchange writes there
   * @param target what the route proxies to, and how
   * @param webSocket the request is a valid WebSocket handshake on a route that allows it
   */
  public ProxyExchange(
      ChannelHandlerContext client,
      ProxyServices services,
      RoutedRequest routed,
      ProxyTarget target,
      ExchangeOwner owner,
      boolean webSocket) {
    this.client = client;
    this.services = services;
    this.routed = routed;
    this.target = target;
    this.record = routed.record();
    this.owner = owner;
    this.webSocket = webSocket;
    this.retry = RetryPolicy.of(routed.request().method(), target, services.node().ticker());
    this.deadlines =
        new UpstreamDeadlines(
            client.channel().eventLoop(),
            services.node().ticker(),
            target.readTimeout(),
            target.sendTimeout(),
            this::onDeadline);
    this.forwarding = new RequestForwarding(client, routed, target, owner, deadlines, webSocket);
    this.responding = new ResponseForwarding(client, routed, target, owner, services);
  }

  /** Picks an endpoint and connects; the client connection is not read until connected. */
  @Override
  public void start() {
    connectNext(true);
  }

  /** The one place the phase changes; a move {@link ProxyPhase} forbids is a bug. */
  private void moveTo(ProxyPhase next) {
    if (!phase.canMoveTo(next)) {
      throw new IllegalStateException("proxy exchange: " + phase + " -> " + next);
    }
    phase = next;
  }

  // ---- CONNECTING -----------------------------------------------------------------------------

  private void connectNext(boolean allowPooled) {
    UpstreamAttempt next = UpstreamAttempt.next(target, routed, retry, services.node());
    if (next == null) {
      failBeforeResponse(retry.exhausted());
      return;
    }
    attempt = next;
    UpstreamEndpoint endpoint = attempt.endpoint();
    Future<UpstreamConnection> connecting =
        services
            .connections()
            .acquire(client.channel().eventLoop(), endpoint, target.connectTimeout(), allowPooled);
    connecting.addListener(f -> onConnected(endpoint, connecting));
  }

  private void onConnected(UpstreamEndpoint endpoint, Future<UpstreamConnection> connecting) {
    if (!connecting.isSuccess()) {
      connectFailed(connecting.cause() instanceof ConnectTimeoutException);
      return;
    }
    UpstreamConnection connection = connecting.getNow();
    if (phase == ProxyPhase.DONE) { // the client left while we were connecting
      attempt.release(connection, true, services.connections());
      return;
    }
    upstream = connection;
    attempt.connected();
    connection.attach(this);
    moveTo(ProxyPhase.AWAITING_RESPONSE);
    if (!forwarding.sendHead(connection.channel())) {
      failOrAbort(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    }
  }

  private void connectFailed(boolean timedOut) {
    attempt.connectFailed(timedOut);
    boolean again = retry.connectFailed(timedOut);
    if (phase == ProxyPhase.DONE) {
      return;
    }
    if (again) {
      connectNext(true);
    } else {
      failBeforeResponse(retry.exhausted());
    }
  }

  // ---- the request: client to upstream --------------------------------------------------------

  /** A body part from the client; this exchange forwards or releases it. */
  @Override
  public void onClientContent(HttpContent content) {
    if (phase == ProxyPhase.CONNECTING) {
      forwarding.early(content); // between two attempts
    } else if (phase == ProxyPhase.DONE || forwarding.bodyRead()) {
      content.release();
    } else if (!forwarding.forward(content, upstream.channel())) {
      failOrAbort(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    }
  }

  /**
   * The client's body broke off in a malformed chunk. The endpoint must not take what it got for
   * the whole body, so no terminator is written: its connection is closed, never pooled. The client
   * gets 400 while no response byte went to it (and its connection closes), else the connection
   * closes mid-response.
   */
  @Override
  public void onClientBodyMalformed() {
    if (phase != ProxyPhase.DONE) {
      failOrAbort(HttpResponseStatus.BAD_REQUEST);
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (phase.attached()) {
      forwarding.upstreamWritabilityChanged(writable);
    }
  }

  // ---- the response: upstream to client -------------------------------------------------------

  @Override
  public void onUpstreamMessage(Object msg) {
    if (!phase.attached()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    deadlines.readSeen();
    if (msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure()) {
      // One failure, even when the decoder made a whole (Full) response of the nonsense.
      ReferenceCountUtil.release(msg);
      upstreamFailed(UpstreamErrorKind.BAD_RESPONSE);
    } else if (msg instanceof HttpResponse response) {
      onResponseHead(response); // the codec sends heads and contents apart
    } else if (msg instanceof HttpContent content) {
      onResponseContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onResponseHead(HttpResponse response) {
    int code = response.status().code();
    if (attempt.headReceived(code, retry, forwarding.bodyForwarded())) {
      ReferenceCountUtil.release(response); // a next_upstream status: to the next endpoint
      nextAttempt();
      return;
    }
    if (code == 101) {
      if (webSocket) {
        upgrade = response;
        attempt.headerReceived();
        moveTo(ProxyPhase.UPGRADING);
      } else {
        upstreamFailed(UpstreamErrorKind.BAD_RESPONSE); // switching without being asked
      }
      return;
    }
    if (code < 200) {
      return; // 100 Continue and other interim answers: Wharf already spoke for itself
    }
    attempt.headerReceived();
    moveTo(ProxyPhase.RESPONDING);
    responding.head(response, forwarding.bodyRead());
  }

  private void onResponseContent(HttpContent content) {
    switch (phase) {
      case UPGRADING -> {
        content.release();
        if (content instanceof LastHttpContent) {
          switchToWebSocket();
        }
      }
      case RESPONDING -> {
        if (content instanceof LastHttpContent last) {
          responseComplete(last);
        } else {
          responding.content(content);
        }
      }
      default -> content.release(); // the end of an interim response
    }
  }

  @Override
  public void onUpstreamReadComplete() {
    if (phase.attached()) {
      responding.readComplete(upstream.channel());
    }
  }

  /** The client connection's writability changed (its dispatcher passes the event on). */
  @Override
  public void onClientWritabilityChanged() {
    if (phase.attached()) {
      responding.clientWritabilityChanged(upstream.channel());
    }
  }

  private void responseComplete(LastHttpContent last) {
    attempt.responded(record.status(), last.content().readableBytes());
    releaseUpstream(responding.upstreamKeepAlive() && forwarding.bodyRead());
    end();
    responding.last(last);
    owner.exchangeFinished(record, responding.clientKeepAlive());
  }

  /** The endpoint's 101 is complete: the connection pair becomes a WebSocket relay. */
  private void switchToWebSocket() {
    UpstreamConnection connection = upstream;
    upstream = null; // handed over, not closed
    end();
    connection.detach();
    attempt.switched();
    new WebSocketSwitch(client, services, routed, target, owner).complete(upgrade, connection);
  }

  // ---- failures and the end -------------------------------------------------------------------

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (!phase.attached()) {
      return;
    }
    UpstreamConnection dead = upstream;
    if (retry.retryStale(
        dead.endpoint(),
        dead.requests(),
        forwarding.bodyForwarded(),
        phase != ProxyPhase.AWAITING_RESPONSE)) {
      // A pooled connection the endpoint closed while we reused it: nothing was processed,
      // so try once more on a fresh connection.
      upstream = null;
      dead.endpoint().stats().released();
      moveTo(ProxyPhase.CONNECTING);
      connectNext(false);
      return;
    }
    upstreamFailed(cause == null ? UpstreamErrorKind.BAD_RESPONSE : UpstreamErrorKind.RESET);
  }

  /** The attempt under way failed after the request left. */
  private void upstreamFailed(UpstreamErrorKind kind) {
    attempt.requestFailed(kind);
    boolean again =
        retry.requestFailed(
            kind, forwarding.bodyForwarded(), phase != ProxyPhase.AWAITING_RESPONSE);
    if (phase == ProxyPhase.RESPONDING) {
      abort();
    } else if (again) {
      nextAttempt();
    } else {
      failBeforeResponse(retry.exhausted());
    }
  }

  private void nextAttempt() {
    releaseUpstream(false);
    moveTo(ProxyPhase.CONNECTING);
    connectNext(true);
  }

  /** Answers {@code status} when no response byte left yet, else closes the client. */
  private void failOrAbort(HttpResponseStatus status) {
    if (phase == ProxyPhase.RESPONDING) {
      abort();
    } else {
      failBeforeResponse(status);
    }
  }

  /** Answers the client with a short error; keeps its connection only if its request was read. */
  private void failBeforeResponse(HttpResponseStatus status) {
    boolean keepAlive = forwarding.bodyRead() && HttpUtil.isKeepAlive(routed.request());
    FullHttpResponse error = responding.error(status, keepAlive);
    end();
    responding.sendError(error, keepAlive);
    owner.exchangeFinished(record, keepAlive);
  }

  /** A response already under way cannot be completed: close the client connection. */
  private void abort() {
    end();
    client.close();
    owner.exchangeFinished(record, false);
  }

  /** The client stopped sending its body (client_body_timeout): 408, as nginx answers. */
  @Override
  public void onClientBodyTimeout() {
    if (phase != ProxyPhase.DONE) {
      failOrAbort(HttpResponseStatus.REQUEST_TIMEOUT);
    }
  }

  /** The client connection closed; nginx logs such a request with status 499. */
  @Override
  public void onClientClosed() {
    if (phase == ProxyPhase.DONE) {
      return;
    }
    if (phase != ProxyPhase.RESPONDING) {
      record.responded(499, null);
    }
    end();
    owner.exchangeFinished(record, false);
  }

  private void releaseUpstream(boolean reusable) {
    deadlines.cancelAll();
    if (upstream != null) {
      attempt.release(upstream, reusable, services.connections());
      upstream = null;
    }
  }

  /**
   * Enters DONE, closing the upstream connection if one is still held. Called before the last bytes
   * go to the client, so that what writing them may set off at once (the client connection closing)
   * finds the exchange over.
   */
  private void end() {
    moveTo(ProxyPhase.DONE);
    releaseUpstream(false);
    forwarding.discardEarly();
  }

  /** A read or send timeout ran out. */
  private void onDeadline(UpstreamErrorKind kind) {
    if (phase.attached()) {
      upstreamFailed(kind);
    }
  }
}
