package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.GoAway;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The life of an HTTP/2 client connection, behind its stream multiplexer: what the connection does
 * as a whole rather than per stream.
 *
 * <ul>
 *   <li>opens the connection's receive window to the listener's {@code connection_window};
 *   <li>closes the connection when it had no stream for {@code keepalive_timeout}, with GOAWAY, as
 *       nginx does: counted from the end of its last stream or the client's last frame, whichever
 *       came later; never while a stream is open (its own timeouts bound it);
 *   <li>on a node drain ({@link GoAway}), goes away in two steps as RFC 9113 6.8 suggests: a GOAWAY
 *       that still admits every stream, a PING to learn when the client has seen it, then the final
 *       GOAWAY naming the last stream accepted; the streams in flight finish and the connection
 *       closes after the last one (Netty's graceful close);
 *   <li>counts the connection in the listener's connection metrics.
 * </ul>
 *
 * <p>Confined to the connection's event loop; time comes from the injected ticker.
 */
final class Http2ConnectionGuard extends ChannelDuplexHandler {
  /** The payload of the PING that follows the first GOAWAY. */
  static final long GOAWAY_PING = 0x5748_4152_4647_4f41L;

  /** How long to wait for that PING's answer before the final GOAWAY goes anyway. */
  static final long GOAWAY_PING_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How long the GOAWAY of a protocol error may take to leave before the socket just closes. */
  static final long ERROR_GOAWAY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final int RFC_INITIAL_WINDOW = 65_535;

  private final String listener;
  private final ProxyMetrics metrics;
  private final Ticker ticker;
  private final Http2FrameCodec codec;
  private final long idleNanos;
  private final int connectionWindow;
  private long openedAt;
  private long lastActivity;

  /** The idle check, or the wait for the drain PING's answer; null when none is due. */
  private ScheduledFuture<?> timer;

  private boolean goingAway;
  private boolean finalGoAwaySent;

  Http2ConnectionGuard(
      String listener,
      ProxyMetrics metrics,
      Ticker ticker,
      Http2FrameCodec codec,
      long idleNanos,
      int connectionWindow) {
    this.listener = listener;
    this.metrics = metrics;
    this.ticker = ticker;
    this.codec = codec;
    this.idleNanos = idleNanos;
    this.connectionWindow = connectionWindow;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    openedAt = ticker.nanoTime();
    lastActivity = openedAt;
    metrics.connectionOpened(listener);
    if (connectionWindow > RFC_INITIAL_WINDOW) {
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow - RFC_INITIAL_WINDOW));
    }
    codec
        .connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onStreamClosed(Http2Stream stream) {
                streamClosed(ctx);
              }
            });
    armIdle(ctx, idleNanos);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    metrics.connectionClosed(listener, ticker.nanoTime() - openedAt);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    lastActivity = ticker.nanoTime(); // whatever the frames were for, the client is there
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == GOAWAY_PING) {
      finalGoAway(ctx);
    }
    ReferenceCountUtil.release(msg); // connection-level frames the codec already acted on
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == GoAway.INSTANCE) {
      goAway(ctx);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The first of the two GOAWAY frames: every stream id is still welcome. */
  private void goAway(ChannelHandlerContext ctx) {
    if (goingAway || !ctx.channel().isActive()) {
      return;
    }
    goingAway = true;
    GoAway.markSent(ctx.channel());
    cancelTimer();
    // Netty's codec turns the extra ids into last-stream-id 2^31-1 (clamped); it refuses a later
    // GOAWAY with a higher id, and the final one is lower.
    ctx.write(
        new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
    ctx.writeAndFlush(new DefaultHttp2PingFrame(GOAWAY_PING));
    timer =
        ctx.executor()
            .schedule(() -> finalGoAway(ctx), GOAWAY_PING_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
  }

  /** The final GOAWAY names the last stream taken; Netty closes after that stream ends. */
  private void finalGoAway(ChannelHandlerContext ctx) {
    if (finalGoAwaySent || !ctx.channel().isActive()) {
      return;
    }
    finalGoAwaySent = true;
    cancelTimer();
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    ctx.close(); // the codec (gracefulShutdownTimeoutMillis -1) waits for the active streams
  }

  /** The end of a stream counts as activity: keepalive_timeout runs from the last one's end. */
  private void streamClosed(ChannelHandlerContext ctx) {
    lastActivity = ticker.nanoTime();
    if (timer == null
        && !goingAway
        && ctx.channel().isActive()
        && codec.connection().numActiveStreams() == 0) {
      armIdle(ctx, idleNanos);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Checks for idleness when the connection could first have been idle long enough. */
  private void armIdle(ChannelHandlerContext ctx, long delayNanos) {
    if (idleNanos <= 0) {
      return;
    }
    timer = ctx.executor().schedule(() -> checkIdle(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * With streams open, nothing is armed again: the end of the last one arms the check ({@link
   * #streamClosed}), so a connection with a long WebSocket costs no timer.
   */
  private void checkIdle(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive() || goingAway || codec.connection().numActiveStreams() > 0) {
      return;
    }
    long idleFor = ticker.nanoTime() - lastActivity;
    if (idleFor >= idleNanos) {
      goingAway = true;
      GoAway.markSent(ctx.channel());
      ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
      ctx.close();
      return;
    }
    armIdle(ctx, Math.max(idleNanos - idleFor, TimeUnit.MILLISECONDS.toNanos(100)));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // The codec shows us a protocol error before it answers it with GOAWAY and its error code
    // (ENHANCE_YOUR_CALM, FRAME_SIZE_ERROR...) and closes; closing here first would send a
    // GOAWAY NO_ERROR instead and hide from the client why it was cut off.
    Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (error == null) {
      ctx.close(); // a reset or a broken pipe
      return;
    }
    if (error.shutdownHint() == Http2Exception.ShutdownHint.GRACEFUL_SHUTDOWN) {
      return; // the codec lets the streams in flight finish first
    }
    // The codec closes only once its GOAWAY is written, which a client that stopped reading (a
    // flood of PINGs whose answers it never takes) can put off forever: past a bound, close
    // under the codec, whose own close would wait for the streams too.
    ChannelHandlerContext codecContext = ctx.pipeline().context(codec);
    ctx.executor()
        .schedule(
            () -> {
              if (codecContext != null && ctx.channel().isOpen()) {
                codecContext.close();
              }
            },
            ERROR_GOAWAY_TIMEOUT_NANOS,
            TimeUnit.NANOSECONDS);
  }
}
