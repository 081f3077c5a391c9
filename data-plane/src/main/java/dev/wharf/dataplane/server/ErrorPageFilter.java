package dev.wharf.dataplane.server;

import dev.wharf.config.ErrorPageRules;
import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.routing.CompiledRoute;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.proto.config.v1.ErrorPage;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * nginx's {@code error_page} and {@code proxy_intercept_errors}, between the dispatcher and the
 * rest of the client pipeline. Armed with the route of each request, it takes out of the outbound
 * stream a response whose status the route has a page for (every response Wharf writes itself; an
 * endpoint's only when the route intercepts), discards its body, and once the exchange that wrote
 * it has finished, has the dispatcher serve the page instead: an internal redirect (GET, or HEAD,
 * to the page's path on the same snapshot) whose response head gets the status nginx would send, or
 * a redirect to a URL. One redirect at most, as nginx's {@code recursive_error_pages off}: the
 * page's own error is answered as it is.
 *
 * <p>An endpoint's body that is not over within the read that brought its head is not waited for:
 * the exchange is ended as if the client had left, which closes the endpoint's connection (never
 * pooled half read). A close asked for while a response is being replaced (a failed exchange
 * closing the client) is held and becomes {@code Connection: close} on the page.
 *
 * <p>Runs on the client connection's event loop; one per connection or HTTP/2 stream.
 */
final class ErrorPageFilter extends ChannelOutboundHandlerAdapter {
  static final String NAME = "error-pages";

  /** Serves a page's request on a route, as the dispatcher serves any request. */
  interface Serve {
    void serve(CompiledRoute route, RoutedRequest routed, boolean head);
  }

  /** Answers a request with a response made by the node, as the dispatcher does. */
  interface Respond {
    void respond(RequestRecord record, HttpRequest request, FullHttpResponse response);
  }

  private enum State {
    /** No request, or a request whose route has no pages (or a page being served). */
    IDLE,
    /** A request whose route has pages: a response head is looked at. */
    ARMED,
    /** A response is being replaced: its body is dropped until its end. */
    SWALLOWING,
    /** The replaced response is over: the page is served when its exchange finishes. */
    PENDING,
    /** The page is served: its head gets the status. */
    PAGE
  }

  private final String listener;
  private final Clock clock;
  private final Supplier<ClientExchange> exchange;
  private final Serve serve;
  private final Respond respond;
  private final ChannelHandlerContext dispatcher;
  private ChannelHandlerContext ctx; // null until the first request whose route has pages
  private State state = State.IDLE;
  private CompiledRoute route;
  private RoutingTable routes;
  private RequestRecord record;
  private HttpRequest request;
  private ErrorPage page;
  private int original;
  private int answer;
  private boolean mustClose;
  private boolean abandoning;
  private String authenticate;

  private ErrorPageFilter(
      String listener,
      Clock clock,
      Supplier<ClientExchange> exchange,
      Serve serve,
      Respond respond,
      ChannelHandlerContext dispatcher) {
    this.dispatcher = dispatcher;
    this.listener = listener;
    this.clock = clock;
    this.exchange = exchange;
    this.serve = serve;
    this.respond = respond;
  }

  /**
   * A filter for the dispatcher {@code dispatcher}. It goes into the pipeline, in front of the
   * dispatcher, only when a request's route has pages: a connection that never meets one pays no
   * handler and no hop per write for it.
   */
  static ErrorPageFilter install(
      ChannelHandlerContext dispatcher,
      String listener,
      Clock clock,
      Supplier<ClientExchange> exchange,
      Serve serve,
      Respond respond) {
    return new ErrorPageFilter(listener, clock, exchange, serve, respond, dispatcher);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** A request was routed to {@code route} on {@code table}: its error statuses get pages. */
  void arm(CompiledRoute route, RoutingTable table, RequestRecord record, HttpRequest request) {
    reset();
    if (route != null && route.config().getErrorPagesCount() > 0) {
      this.route = route;
      this.routes = table;
      this.record = record;
      this.request = request;
      state = State.ARMED;
      if (ctx == null) { // on the event loop: handlerAdded sets ctx before this returns
        dispatcher.pipeline().addBefore(dispatcher.name(), NAME, this);
      }
    }
  }

  /** The request is over: the next one starts unarmed. */
  void reset() {
    state = State.IDLE;
    route = null;
    routes = null;
    record = null;
    request = null;
    page = null;
    mustClose = false;
    abandoning = false;
    authenticate = null;
  }

  /**
   * Whether {@code response}, made by the dispatcher, is replaced by a page; if so it is released
   * and the page served (at once: nothing else is under way).
   */
  boolean replaces(FullHttpResponse response) {
    if (state != State.ARMED || !pageFor(response.status().code(), true)) {
      return false;
    }
    mustClose = closes(response);
    authenticate = response.headers().get(HttpHeaderNames.WWW_AUTHENTICATE);
    response.release();
    state = State.PENDING;
    servePage();
    return true;
  }

  /**
   * An exchange finished: when its response was replaced, the page is served and this answers true;
   * the dispatcher then leaves the request to the page.
   */
  boolean exchangeReplaced(boolean keepAlive) {
    if (state == State.SWALLOWING && abandoning) {
      state = State.PENDING; // its rest was never read; the client's side is intact
    }
    if (state != State.PENDING) {
      return false;
    }
    mustClose |= !keepAlive && !abandoning;
    if (!ctx.channel().isActive()) {
      reset();
      return false;
    }
    servePage();
    return true;
  }

  /** Whether the response with {@code code} gets a page, remembering which. */
  private boolean pageFor(int code, boolean madeHere) {
    if (code < 300 || !(madeHere || route.proxy() == null || route.config().getInterceptErrors())) {
      return false;
    }
    page = ErrorPageRules.find(route.config(), code);
    original = code;
    return page != null;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    switch (state) {
      case ARMED -> {
        if (msg instanceof HttpResponse head
            && pageFor(head.status().code(), msg instanceof FullHttpResponse)) {
          mustClose = closes(head);
          authenticate = head.headers().get(HttpHeaderNames.WWW_AUTHENTICATE);
          state = msg instanceof LastHttpContent ? State.PENDING : State.SWALLOWING;
          drop(msg, promise);
          if (state == State.SWALLOWING) {
            ClientExchange writer = exchange.get();
            ctx.executor().execute(() -> abandonIfUnfinished(writer));
          }
          return;
        }
      }
      case SWALLOWING -> {
        if (msg instanceof HttpContent) {
          state = msg instanceof LastHttpContent ? State.PENDING : State.SWALLOWING;
          drop(msg, promise);
          return;
        }
      }
      case PAGE -> {
        if (msg instanceof HttpResponse head && head.status().code() >= 200) {
          pageHead(head);
        }
      }
      default -> {}
    }
    ctx.write(msg, promise);
  }

  /** While a response is replaced, a close waits for the page, which then says it closes. */
  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if ((state == State.SWALLOWING || state == State.PENDING) && ctx.channel().isActive()) {
      mustClose = true;
      promise.trySuccess();
      return;
    }
    ctx.close(promise);
  }

  /**
   * The endpoint's body did not end within the read that brought its head: end the exchange as if
   * the client had left, which closes the endpoint's connection rather than reading on.
   */
  private void abandonIfUnfinished(ClientExchange writer) {
    if (state == State.SWALLOWING && writer != null && exchange.get() == writer) {
      abandoning = true;
      writer.onClientClosed();
    }
  }

  private void servePage() {
    HttpRequest original = request;
    // The replaced response's exchange counted the body it wrote; the client gets the page's.
    record.bodyReplaced();
    answer = ErrorPageRules.answerStatus(page, this.original);
    if (ErrorPageRules.isRedirect(page)) {
      state = State.IDLE;
      boolean head = original.method().equals(HttpMethod.HEAD);
      FullHttpResponse away =
          Responses.error(
              ctx.alloc(), HttpResponseStatus.valueOf(answer), head, mustClose, clock.instant());
      away.headers().set(HttpHeaderNames.LOCATION, page.getTarget());
      respond.respond(record, original, away);
      return;
    }
    HttpRequest internal = internalRequest(original, page.getTarget());
    RequestTarget target = RequestChecks.target(internal);
    RoutingTable.Selection selection =
        target == null
            ? null
            : routes.select(listener, RequestVariables.hostOf(internal), target.path());
    boolean head = internal.method().equals(HttpMethod.HEAD);
    state = State.PAGE;
    if (selection == null) {
      respond.respond(
          record,
          original,
          Responses.error(
              ctx.alloc(), HttpResponseStatus.NOT_FOUND, head, mustClose, clock.instant()));
      return;
    }
    CompiledRoute pageRoute = selection.route();
    record.routed(pageRoute.name());
    serve.serve(
        pageRoute,
        ListenerContext.routed(pageRoute, internal, target, selection.groups(), record),
        head);
    ClientExchange proxied = pageRoute.proxy() == null ? null : exchange.get();
    if (proxied != null) {
      // The page's request has no body: its end is given at once, and what is left of the
      // client's body is dropped by the exchange, then by the dispatcher.
      proxied.onClientContent(LastHttpContent.EMPTY_LAST_CONTENT);
    }
  }

  /**
   * The page's head: nginx's status for a success, the page's own error unchanged; a 401 keeps the
   * replaced response's challenge, as nginx keeps it.
   */
  private void pageHead(HttpResponse head) {
    state = State.IDLE;
    if (head.status().code() < 300 && answer != 0) {
      head.setStatus(HttpResponseStatus.valueOf(answer));
      record.responded(answer, head.headers());
    }
    if (mustClose) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (authenticate != null && head.status().code() == 401) {
      head.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, authenticate); // the challenge stays
    }
  }

  /**
   * The request nginx's internal redirect makes: GET (HEAD stays HEAD) to the page, with the
   * client's headers but no body and no condition or range, which would answer 304 or 206 for a
   * page that stands for an error.
   */
  static HttpRequest internalRequest(HttpRequest original, String uri) {
    HttpMethod method =
        original.method().equals(HttpMethod.HEAD) ? HttpMethod.HEAD : HttpMethod.GET;
    HttpHeaders headers = new DefaultHttpHeaders().set(original.headers());
    for (CharSequence name : DROPPED) {
      headers.remove(name);
    }
    return new DefaultFullHttpRequest(
        original.protocolVersion(),
        method,
        uri,
        Unpooled.EMPTY_BUFFER,
        headers,
        new DefaultHttpHeaders());
  }

  private static final List<CharSequence> DROPPED =
      List.of(
          HttpHeaderNames.CONTENT_LENGTH,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.EXPECT,
          HttpHeaderNames.UPGRADE,
          HttpHeaderNames.IF_MODIFIED_SINCE,
          HttpHeaderNames.IF_UNMODIFIED_SINCE,
          HttpHeaderNames.IF_NONE_MATCH,
          HttpHeaderNames.IF_MATCH,
          HttpHeaderNames.IF_RANGE,
          HttpHeaderNames.RANGE);

  private static boolean closes(HttpResponse response) {
    return !HttpUtil.isKeepAlive(response);
  }

  private static void drop(Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    promise.trySuccess();
  }
}
