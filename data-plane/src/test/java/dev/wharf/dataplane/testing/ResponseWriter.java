package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Writes one connection's HTTP responses, stamping each with {@code x-backend} and {@code
 * x-connection} so tests can tell which backend and which connection answered, and closing the
 * connection after the last byte when keep-alive is off.
 *
 * <p>Threading: the connection's event loop only.
 */
final class ResponseWriter {
  static final String X_BACKEND = "x-backend";
  static final String X_CONNECTION = "x-connection";

  private final String backendName;
  private final int connectionNumber;

  ResponseWriter(String backendName, int connectionNumber) {
    this.backendName = backendName;
    this.connectionNumber = connectionNumber;
  }

  /** The identity headers alone, for responses Netty builds itself (the WebSocket 101). */
  HttpHeaders identityHeaders() {
    return new DefaultHttpHeaders().set(X_BACKEND, backendName).set(X_CONNECTION, connectionNumber);
  }

  void sendText(
      ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
    ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    send(ctx, response, keepAlive);
  }

  /** Sends {@code response}, setting its Content-Length from its content. */
  void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    stamp(response, keepAlive);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    closeUnlessKeptAlive(ctx.writeAndFlush(response), keepAlive);
  }

  /** A response that by its status has no body (204, 304), so no Content-Length either. */
  void sendWithoutBody(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    stamp(response, keepAlive);
    closeUnlessKeptAlive(ctx.writeAndFlush(response), keepAlive);
  }

  /** Streams {@link PatternBody} bytes with Content-Length, or chunked when asked to. */
  void sendPattern(ChannelHandlerContext ctx, long length, boolean chunked, boolean keepAlive) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    if (chunked) {
      HttpUtil.setTransferEncodingChunked(head, true);
    } else {
      HttpUtil.setContentLength(head, length);
    }
    stamp(head, keepAlive);
    ctx.write(head);
    closeUnlessKeptAlive(
        ctx.writeAndFlush(new HttpChunkedInput(new PatternBody(length))), keepAlive);
  }

  /** A head promising 100 bytes and the first 10 of them; the rest never comes. */
  void sendHeadThenStall(ChannelHandlerContext ctx) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    HttpUtil.setContentLength(head, 100);
    stamp(head, true);
    ctx.write(head);
    ctx.writeAndFlush(new DefaultHttpContent(PatternBody.prefix(ctx.alloc(), 10)));
  }

  /**
   * A head promising {@code length} bytes (Content-Length, or one chunk of that size), half of
   * them, then a close (FIN): a body cut off by the backend.
   */
  void sendTruncated(ChannelHandlerContext ctx, int length, boolean chunked) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    if (chunked) {
      HttpUtil.setTransferEncodingChunked(head, true);
    } else {
      HttpUtil.setContentLength(head, length);
    }
    stamp(head, true);
    ctx.write(head);
    ByteBuf half = PatternBody.prefix(ctx.alloc(), length / 2);
    if (chunked) {
      // The chunk's header announces the whole length (the encoder would announce the half), so
      // it goes as raw bytes under the codec (and over TLS, if any).
      ctx.pipeline()
          .context(BackendChannelInitializer.HTTP_CODEC)
          .writeAndFlush(
              Unpooled.wrappedBuffer(
                  Unpooled.copiedBuffer(
                      Integer.toHexString(length) + "\r\n", StandardCharsets.US_ASCII),
                  half))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(new DefaultHttpContent(half)).addListener(ChannelFutureListener.CLOSE);
  }

  private void stamp(HttpResponse response, boolean keepAlive) {
    response.headers().set(X_BACKEND, backendName).set(X_CONNECTION, connectionNumber);
    HttpUtil.setKeepAlive(response, keepAlive);
  }

  private static void closeUnlessKeptAlive(ChannelFuture lastWrite, boolean keepAlive) {
    if (!keepAlive) {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
