package dev.wharf.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.CountDownLatch;

/**
 * A closed loop on one WebSocket: send a text message, wait for its echo, send the next, until the
 * deadline. Round trips that end before the deadline are recorded; the one in flight at the
 * deadline is awaited (so the connection is quiet before it is closed) but not counted.
 */
final class EchoConnection extends LoadConnection {
  private final ByteBuf payload;
  private final CountDownLatch quiet;
  private final LatencyHistogram roundTrips = new LatencyHistogram();
  private ChannelHandlerContext ctx;
  private long deadline;
  private long sentAt;
  private long messages;
  private boolean stopped;

  /**
   * @param payload a read-only buffer shared by all connections (the encoder copies it while
   *     masking, so sharing is safe)
   * @param quiet counted down once when this connection stops sending or ends
   */
  EchoConnection(LoadTracker tracker, ByteBuf payload, CountDownLatch quiet) {
    super(tracker);
    this.payload = payload;
    this.quiet = quiet;
  }

  @Override
  void onOpen(ChannelHandlerContext ctx) {
    // Sending starts with start(), once every connection has opened.
    this.ctx = ctx;
  }

  /** Starts the loop if the connection is open; call on the channel's event loop. */
  void start(long deadlineNanos) {
    this.deadline = deadlineNanos;
    if (ctx != null && !stopped) {
      send(ctx);
    }
  }

  private void send(ChannelHandlerContext ctx) {
    sentAt = System.nanoTime();
    ctx.writeAndFlush(new TextWebSocketFrame(payload.duplicate()));
  }

  @Override
  void onData(ChannelHandlerContext ctx, WebSocketFrame frame) {
    long now = System.nanoTime();
    if (frame.content().readableBytes() != payload.readableBytes()) {
      tracker.recordError(
          "echo of "
              + frame.content().readableBytes()
              + " bytes to a message of "
              + payload.readableBytes());
    }
    if (now - deadline <= 0) {
      roundTrips.record(now - sentAt);
      messages++;
    }
    if (now - deadline < 0) {
      send(ctx);
    } else {
      stop();
    }
  }

  @Override
  void onEnd() {
    stop();
  }

  private void stop() {
    if (!stopped) {
      stopped = true;
      quiet.countDown();
    }
  }

  /** Read after {@code quiet} has been counted down (which publishes these fields). */
  LatencyHistogram roundTrips() {
    return roundTrips;
  }

  long messages() {
    return messages;
  }
}
