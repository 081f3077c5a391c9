package dev.wharf.dataplane.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Echoes WebSocket frames one for one: each text, binary or continuation frame goes back as it
 * came, so a fragmented message comes back fragmented the same way. Answers ping with pong.
 *
 * <p>Closing: every close frame received is recorded (1005 when it carried no code). A close the
 * client starts is answered with the same frame, then the connection closes. A text message {@code
 * close:CODE} makes this side start: it sends close CODE, drops data frames from then on, and
 * closes the connection when the client answers, or after {@link #CLOSE_REPLY_SECONDS}.
 *
 * <p>Flooding: a text message {@code flood:N} makes this side send N bytes in binary messages of
 * {@link #FLOOD_MESSAGE} bytes, only while the connection is writable (it goes on when it becomes
 * writable again), so a proxy that stops reading holds the flood back; the bytes written so far and
 * whether the flood waits for writability are in the {@link BackendLog}.
 *
 * <p>Every frame is either written back (ownership passes to the encoder) or released.
 *
 * <p>Threading: the connection's event loop only.
 */
final class WebSocketEchoHandler extends ChannelInboundHandlerAdapter {
  private static final String CLOSE_COMMAND = "close:";
  private static final String FLOOD_COMMAND = "flood:";
  static final int FLOOD_MESSAGE = 16 * 1024;
  private static final long CLOSE_REPLY_SECONDS = 2;

  /** RFC 6455 section 7.1.5: the code to report for a close frame without one. */
  private static final int NO_STATUS_RECEIVED = 1005;

  private final BackendLog log;
  private boolean closeSent;
  private ScheduledFuture<?> closeReplyTimer;
  private long floodLeft;

  WebSocketEchoHandler(BackendLog log) {
    this.log = log;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof CloseWebSocketFrame close) {
      onClose(ctx, close);
    } else if (closeSent || !(msg instanceof WebSocketFrame frame)) {
      // after our close no data is due (RFC 6455 5.5.1); non-frames are HTTP codec leftovers
      ReferenceCountUtil.release(msg);
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
    } else if (frame instanceof PongWebSocketFrame) {
      frame.release();
    } else {
      int requestedClose = requestedCloseCode(frame);
      long flood = requestedFlood(frame);
      if (flood > 0) {
        frame.release();
        floodLeft = flood;
        flood(ctx);
      } else if (requestedClose > 0) {
        frame.release();
        startClose(ctx, requestedClose);
      } else {
        ctx.writeAndFlush(frame);
      }
    }
  }

  private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    int code = close.statusCode();
    log.closeFrameReceived(code == -1 ? NO_STATUS_RECEIVED : code);
    if (closeSent) {
      close.release(); // the client's answer to our close: the handshake is complete
      ctx.close();
      return;
    }
    closeSent = true;
    // Sending the received frame back echoes its code and reason, or its lack of a code.
    ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
  }

  private void startClose(ChannelHandlerContext ctx, int code) {
    closeSent = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(code, ""));
    closeReplyTimer =
        ctx.executor()
            .schedule(
                () -> {
                  ctx.close();
                },
                CLOSE_REPLY_SECONDS,
                TimeUnit.SECONDS);
  }

  /** The CODE of a whole text message {@code close:CODE}, or -1 for any other frame. */
  private static int requestedCloseCode(WebSocketFrame frame) {
    if (!(frame instanceof TextWebSocketFrame text)
        || !text.isFinalFragment()
        || text.content().readableBytes() > 16) {
      return -1;
    }
    String message = text.text();
    if (!message.startsWith(CLOSE_COMMAND)) {
      return -1;
    }
    try {
      int code = Integer.parseInt(message.substring(CLOSE_COMMAND.length()));
      return WebSocketCloseStatus.isValidStatusCode(code) ? code : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The N of a whole text message {@code flood:N}, or -1 for any other frame. */
  private static long requestedFlood(WebSocketFrame frame) {
    if (!(frame instanceof TextWebSocketFrame text)
        || !text.isFinalFragment()
        || text.content().readableBytes() > 24) {
      return -1;
    }
    String message = text.text();
    if (!message.startsWith(FLOOD_COMMAND)) {
      return -1;
    }
    try {
      return Long.parseLong(message.substring(FLOOD_COMMAND.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void flood(ChannelHandlerContext ctx) {
    while (floodLeft > 0 && ctx.channel().isWritable() && !closeSent) {
      int n = (int) Math.min(FLOOD_MESSAGE, floodLeft);
      floodLeft -= n;
      ctx.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[n])));
      log.flooded(n);
    }
    ctx.flush();
    log.floodWaiting(floodLeft > 0 && !ctx.channel().isWritable());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (floodLeft > 0 && ctx.channel().isWritable()) {
      flood(ctx);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closeReplyTimer != null) {
      closeReplyTimer.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
