package dev.wharf.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket's stream as the byte stream the relay reads and writes, as RFC 8441 carries it: each
 * DATA frame's payload in, each buffer out as a DATA frame. The client ending its side ({@code
 * END_STREAM}) ends the stream as a TCP close would end a connection; closing it from here ends our
 * side with an empty {@code END_STREAM} first, after whatever DATA is still queued, the orderly
 * close RFC 8441 6 asks for. Other frames (trailers) mean nothing to a WebSocket and are dropped.
 */
public final class StreamBytes extends ChannelDuplexHandler {
  /** How long a stream whose END_STREAM went out waits for the client's before it is reset. */
  static final long CLIENT_END_WAIT_SECONDS = 5;

  private ChannelFuture endWritten;
  private boolean remoteEnded;
  private ChannelPromise pendingClose;

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
      remoteEnded = true;
      if (pendingClose != null) {
        closePending(ctx);
        return;
      }
      // What was just relayed goes out before the relay hears of the end (as a TCP FIN comes in
      // its own read); closing through the pipeline ends our side with END_STREAM, not a reset.
      ctx.fireChannelReadComplete();
      ctx.channel().close();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes && !bytes.isReadable()) {
      // The relay flushes with empty buffers; as DATA frames they would carry nothing, and a
      // client counts empty frames in a row as a flood.
      bytes.release();
      promise.trySuccess();
    } else if (msg instanceof ByteBuf bytes) {
      ctx.write(new DefaultHttp2DataFrame(bytes), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (endWritten != null || !ctx.channel().isActive()) {
      // A second close, or the stream is gone: nothing more to end.
      closeAfterEnd(ctx, promise);
      return;
    }
    // Once END_STREAM is out (behind every DATA queued for the stream's window), the stream may go
    // when the client ended its side too: closing a stream the client still has open resets it.
    endWritten = ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
    endWritten.addListener(written -> closeAfterEnd(ctx, promise));
  }

  private void closeAfterEnd(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (remoteEnded || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    if (pendingClose == null) {
      pendingClose = promise;
      ctx.executor().schedule(() -> closePending(ctx), CLIENT_END_WAIT_SECONDS, TimeUnit.SECONDS);
    } else {
      pendingClose.addListener(closed -> ctx.close(promise));
    }
  }

  private void closePending(ChannelHandlerContext ctx) {
    ChannelPromise p = pendingClose;
    if (p != null && !p.isDone()) {
      ctx.close(p);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (pendingClose != null && !pendingClose.isDone()) {
      pendingClose.trySuccess();
    }
    ctx.fireChannelInactive();
  }
}
