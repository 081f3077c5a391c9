package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Receives one connection's HTTP requests, records each, and carries out the {@link Behaviour} its
 * path asks for.
 *
 * <p>Every inbound message ends here: its bytes are copied into the record and the message is
 * released, whatever the behaviour. Once a behaviour has given up on the connection (stall, reset,
 * close, no-read) later messages are released unread.
 *
 * <p>Threading: the connection's event loop only; fields need no synchronization.
 */
final class HttpBehaviourHandler extends ChannelInboundHandlerAdapter {
  private final int connectionNumber;
  private final BackendLog log;
  private final ResponseWriter responses;

  private HttpRequest head;
  private Behaviour behaviour;
  private ByteArrayOutputStream body;

  /** Set once the connection is stalled or being torn down; nothing more is answered on it. */
  private boolean abandoned;

  /** A head arrived and the end of its body has not yet. */
  private boolean midBody;

  HttpBehaviourHandler(String backendName, int connectionNumber, BackendLog log) {
    this.connectionNumber = connectionNumber;
    this.log = log;
    this.responses = new ResponseWriter(backendName, connectionNumber);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!abandoned && msg instanceof HttpObject http) {
        onHttpObject(ctx, http);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHttpObject(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      // A close in the middle of a body is told by channelInactive; any other fault is not one.
      midBody &= msg.decoderResult().cause() instanceof PrematureChannelClosureException;
      abandoned = true;
      responses.sendText(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
      return;
    }
    if (msg instanceof HttpRequest request) {
      onHead(ctx, request);
    }
    if (msg instanceof HttpContent content && head != null) {
      body.writeBytes(ByteBufUtil.getBytes(content.content()));
      if (content instanceof LastHttpContent) {
        onComplete(ctx);
      }
    }
  }

  private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
    head = request;
    behaviour =
        Behaviour.of(
            request.uri(),
            request
                .headers()
                .containsValue(
                    io.netty.handler.codec.http.HttpHeaderNames.UPGRADE, "websocket", true));
    body = new ByteArrayOutputStream();
    if (!behaviour.kind().actsOnHead()) {
      midBody = true;
      if (HttpUtil.is100ContinueExpected(request)) {
        ctx.writeAndFlush(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
      return;
    }
    record();
    abandoned = true;
    switch (behaviour.kind()) {
      case RESET -> {
        // SO_LINGER 0 turns close() into an abortive close: the peer sees RST, not FIN
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
      }
      case CLOSE -> ctx.close();
      case NO_READ -> ctx.channel().config().setAutoRead(false);
      default -> throw new IllegalStateException("not a head behaviour: " + behaviour);
    }
  }

  private void onComplete(ChannelHandlerContext ctx) {
    midBody = false;
    HttpRequest request = head;
    Behaviour current = behaviour;
    // Taken before the request is recorded: a test that saw it and released it released this one.
    CompletableFuture<Void> held = log.held();
    record();
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !current.closeAfterResponse();
    switch (current.kind()) {
      case ECHO -> echo(ctx, request, keepAlive);
      case STATUS -> status(ctx, (int) current.argument(), keepAlive);
      case REDIRECT -> redirect(ctx, request, keepAlive);
      case BYTES -> responses.sendPattern(ctx, current.argument(), false, keepAlive);
      case CHUNKED -> responses.sendPattern(ctx, current.argument(), true, keepAlive);
      case STALL -> abandoned = true;
      case STALL_AFTER_HEAD -> {
        abandoned = true;
        responses.sendHeadThenStall(ctx);
      }
      case TRUNCATED -> {
        abandoned = true;
        responses.sendTruncated(ctx, (int) current.argument(), false);
      }
      case TRUNCATED_CHUNKED -> {
        abandoned = true;
        responses.sendTruncated(ctx, (int) current.argument(), true);
      }
      case SLOW ->
          ctx.executor()
              .schedule(
                  () -> responses.sendText(ctx, HttpResponseStatus.OK, "slow\n", keepAlive),
                  current.argument(),
                  TimeUnit.MILLISECONDS);
      case HOLD ->
          held.thenRun(
              () ->
                  ctx.executor()
                      .execute(
                          () ->
                              responses.sendText(ctx, HttpResponseStatus.OK, "held\n", keepAlive)));
      case WEBSOCKET -> WebSocketUpgrade.upgradeOrRefuse(ctx, request, responses, log);
      case WEBSOCKET_REJECT ->
          responses.sendText(ctx, HttpResponseStatus.FORBIDDEN, "no websocket here\n", keepAlive);
      case BAD_ARGUMENT ->
          responses.sendText(
              ctx,
              HttpResponseStatus.BAD_REQUEST,
              "bad argument in " + request.uri() + "\n",
              keepAlive);
      default -> throw new IllegalStateException("not a body behaviour: " + current);
    }
  }

  private void echo(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(body.toByteArray()));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .set("x-echo-method", request.method().name())
        .set("x-echo-uri", request.uri());
    responses.send(ctx, response, keepAlive);
  }

  /** {@code {host}} in the target stands for the Host received, as an application writes it. */
  private void redirect(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive) {
    java.util.List<String> to =
        new io.netty.handler.codec.http.QueryStringDecoder(request.uri()).parameters().get("to");
    String target = to == null ? "/" : to.get(0);
    String host = request.headers().get(HttpHeaderNames.HOST, "");
    target = target.replace("{host}", host);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
    response
        .headers()
        .set(HttpHeaderNames.LOCATION, target)
        .set("refresh", "5; url=" + target)
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    responses.send(ctx, response, keepAlive);
  }

  private void status(ChannelHandlerContext ctx, int code, boolean keepAlive) {
    HttpResponseStatus status = HttpResponseStatus.valueOf(code);
    if (code == 204 || code == 304) {
      // these statuses never carry a body; bytes sent anyway would be read as the next response
      responses.sendWithoutBody(ctx, status, keepAlive);
    } else {
      responses.sendText(ctx, status, "status " + code + "\n", keepAlive);
    }
  }

  private void record() {
    log.requestReceived(
        new RecordedRequest(
            head.method().name(),
            head.uri(),
            new DefaultHttpHeaders().add(head.headers()),
            body.toByteArray(),
            connectionNumber));
  }

  /** A connection that closes between a head and the end of its body cut that request off. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (midBody) {
      midBody = false;
      log.requestCutOff(
          new RecordedRequest(
              head.method().name(),
              head.uri(),
              new DefaultHttpHeaders().add(head.headers()),
              body.toByteArray(),
              connectionNumber));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and decode errors are part of what this backend is for; just drop the connection.
    ctx.close();
  }
}
