package dev.wharf.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * A WebSocket's stream as the byte stream the relay reads and writes, as RFC 8441 carries it: each
 * DATA frame's payload in, each buffer out as a DATA frame. The client ending its side ({@code
 * END_STREAM}) ends the stream as a TCP close would end a connection; closing it from here ends our
 * side with an empty {@code END_STREAM} first, after whatever DATA is still queued, the orderly
 * close RFC 8441 6 asks for. Other frames (trailers) mean nothing to a WebSocket and are dropped.
 */
public final class StreamBytes extends ChannelDuplexHandler {
  private boolean ended;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Http2DataFrame data)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean endStream = data.isEndStream();
    ByteBuf payload = data.content();
    if (payload.isReadable()) {
      ctx.fireChannelRead(payload);
    } else {
      payload.release();
    }
    if (endStream) {
      // What was just relayed goes out before the relay hears of the end (as a TCP FIN comes in
      // its own read); closing through the pipeline ends our side with END_STREAM, not a reset.
      ctx.fireChannelReadComplete();
      ctx.channel().close();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      ctx.write(new DefaultHttp2DataFrame(bytes), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (ended || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    ended = true;
    // Once END_STREAM is out (behind every DATA queued for the stream's window), the stream may go.
    ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true))
        .addListener(written -> ctx.close(promise));
  }
}
