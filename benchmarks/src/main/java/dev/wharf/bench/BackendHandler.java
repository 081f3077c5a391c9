package dev.wharf.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Answers HTTP requests with the fixed body and echoes WebSocket data frames (the upgrade handler
 * before it consumes control frames). Writes are flushed once per read batch, so pipelined requests
 * share a syscall.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  static final String BODY = "hello\n";
  private static final ByteBuf BODY_BYTES =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer(BODY.length())
              .writeBytes(BODY.getBytes(StandardCharsets.US_ASCII))
              .asReadOnly());

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame) {
      // The frame itself goes back: ownership passes to the write, nothing to release here.
      ctx.write(msg);
    } else if (msg instanceof FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      request.release();
      respond(ctx, keepAlive);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private static void respond(ChannelHandlerContext ctx, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY_BYTES.duplicate());
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length());
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive) {
      ctx.write(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Peers of a load test reset connections when they stop; there is nothing to report.
    ctx.close();
  }
}
