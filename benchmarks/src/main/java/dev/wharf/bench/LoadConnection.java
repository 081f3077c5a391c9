package dev.wharf.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * One client WebSocket of a load run: reports its handshake outcome to the {@link LoadTracker},
 * hands data frames to the subclass, and tells a clean end (this side sent close 1000, the peer
 * answered and closed) from an abnormal one (anything else).
 *
 * <p>All state is confined to the channel's event loop; {@link #closeNormally} hops onto it.
 */
abstract class LoadConnection extends ChannelInboundHandlerAdapter {
  private static final long CLOSE_REPLY_TIMEOUT_SECONDS = 10;

  final LoadTracker tracker;
  private boolean settled;
  private boolean closing;
  private boolean ended;

  LoadConnection(LoadTracker tracker) {
    this.tracker = tracker;
  }

  /** The handshake completed; the connection may send. */
  abstract void onOpen(ChannelHandlerContext ctx);

  /** A text or binary frame arrived; the caller releases it. */
  abstract void onData(ChannelHandlerContext ctx, WebSocketFrame frame);

  /** The connection is gone (cleanly or not); called once. */
  void onEnd() {}

  /** Called by {@link WsClient} when the TCP connect itself failed. */
  final void connectFailed(Throwable cause) {
    settleAsFailure("connect: " + describe(cause));
  }

  /**
   * Starts the closing handshake with 1000; the returned future completes when the channel is
   * closed (by the peer's answer, or forcibly after {@value #CLOSE_REPLY_TIMEOUT_SECONDS} s).
   */
  static ChannelFuture closeNormally(Channel channel) {
    channel
        .eventLoop()
        .execute(
            () -> {
              LoadConnection connection = channel.pipeline().get(LoadConnection.class);
              if (connection != null && channel.isActive()) {
                connection.closing = true;
                channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
                channel
                    .eventLoop()
                    .schedule(
                        () -> {
                          if (channel.isActive()) {
                            connection.tracker.recordError(
                                "no answer to close 1000 within "
                                    + CLOSE_REPLY_TIMEOUT_SECONDS
                                    + " s");
                            channel.close();
                          }
                        },
                        CLOSE_REPLY_TIMEOUT_SECONDS,
                        TimeUnit.SECONDS);
              }
            });
    return channel.closeFuture();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      settled = true;
      tracker.recordOpened();
      onOpen(ctx);
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      settleAsFailure("timed out");
      ctx.close();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof CloseWebSocketFrame close) {
        onClose(ctx, close);
      } else if (msg instanceof WebSocketFrame frame) {
        // Pings are answered and pongs dropped by the protocol handler before this one.
        onData(ctx, frame);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    if (closing) {
      // The peer answered our 1000; the server closes TCP first, we close too in case it is slow.
      ctx.close();
      return;
    }
    end(true, "peer sent close " + close.statusCode() + " " + close.reasonText());
    closing = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
        .addListener(f -> ctx.close());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!settled) {
      settleAsFailure(describe(cause));
    } else if (!closing) {
      tracker.recordError(describe(cause));
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!settled) {
      settleAsFailure("connection closed before the handshake completed");
    } else {
      end(!closing, "connection closed without a closing handshake");
    }
    ctx.fireChannelInactive();
  }

  private void settleAsFailure(String why) {
    if (!settled) {
      settled = true;
      tracker.recordHandshakeFailure(why);
      end(false, why);
    }
  }

  private void end(boolean abnormal, String why) {
    if (ended) {
      return;
    }
    ended = true;
    if (abnormal) {
      tracker.recordAbnormalClose(why);
    }
    onEnd();
  }

  static String describe(Throwable cause) {
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
