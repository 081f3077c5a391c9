package dev.wharf.dataplane.websocket;

import dev.wharf.dataplane.websocket.WebSocketRelay.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The close sequencing of one {@link WebSocketRelay}: which close frame each side gets and at which
 * frame boundary, who closed first and with what code, and when each connection may be closed. Kept
 * apart from the relaying so that the order of close frames, the one thing both the {@code 1001} of
 * a drain and the {@code 1009} of a message too big depend on, reads in one place.
 *
 * <p>A side is closed only once the close frame sent to it was answered, or when the close
 * handshake timeout runs out; the timer is armed by the first close the proxy starts.
 *
 * <p>Confined to the relay's event loop, like the relay and both of its connections.
 */
final class CloseHandshakes {
  private final Direction fromClient;
  private final Direction fromUpstream;
  private final Supplier<RandomGenerator> random;
  private final EventExecutor loop;
  private final Runnable onTimeout;
  private ScheduledFuture<?> closeTimer;
  private int closeCode;
  private String closedBy;

  /**
   * @param random the source of the masks of close frames towards the endpoint
   * @param onTimeout ends the relay when a close handshake the proxy started is not answered
   */
  CloseHandshakes(
      Direction fromClient,
      Direction fromUpstream,
      Supplier<RandomGenerator> random,
      EventExecutor loop,
      Runnable onTimeout) {
    this.fromClient = fromClient;
    this.fromUpstream = fromUpstream;
    this.random = random;
    this.loop = loop;
    this.onTimeout = onTimeout;
  }

  /** Records the first close of the WebSocket; later ones do not change who closed it. */
  void closed(String by, int code) {
    if (closedBy == null) {
      closedBy = by;
      closeCode = code;
    }
  }

  /** Who closed the WebSocket first: {@code client}, {@code upstream} or {@code proxy}. */
  String closedBy() {
    return closedBy;
  }

  /** The code of the first close. */
  int closeCode() {
    return closeCode;
  }

  /**
   * Sends {@code 1001 Going Away} to each side that has no close frame yet, at a frame boundary.
   */
  void goAway() {
    closed("proxy", CloseFrames.GOING_AWAY);
    for (Direction d : new Direction[] {fromClient, fromUpstream}) {
      if (d.closeForwarded || d.stopped) {
        continue; // that side already has its close frame
      }
      if (d.scanner.atBoundary()) {
        sendClose(d, CloseFrames.GOING_AWAY);
      } else {
        d.pendingClose = CloseFrames.GOING_AWAY;
      }
    }
    armTimeout();
  }

  /**
   * Refuses the stream {@code d} reads, whose scanner just broke: what came before the offending
   * frame is forwarded, the peer gets {@code 1001} in the frame's place, the sender {@code
   * d.refusal} at the next boundary of the stream towards it. Releases {@code buf}.
   */
  void refuse(Direction d, ByteBuf buf) {
    // Armed first: closing the sender's connection below must not close the peer's while
    // the peer still answers our close (sideClosed looks at this timer).
    armTimeout();
    int frameStart = d.scanner.brokenFrameStart();
    if (frameStart > buf.readerIndex()) {
      d.out.write(buf.retainedSlice(buf.readerIndex(), frameStart - buf.readerIndex()));
    }
    buf.release();
    closed("proxy", d.refusal);
    if (!d.closeForwarded && !d.stopped) {
      if (frameStart >= 0) {
        sendClose(d, CloseFrames.GOING_AWAY);
      } else {
        // Part of the offending header already went to the peer: no frame of ours can follow
        // it, so the peer's connection just ends.
        d.stopped = true;
        d.out.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    } else {
      d.out.flush();
    }
    d.stopped = true;
    d.pendingClose = 0;
    Direction back = other(d);
    if (back.closeForwarded || back.stopped) {
      d.in.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else if (back.scanner.atBoundary()) {
      sendClose(back, d.refusal);
    } else {
      back.pendingClose = d.refusal;
    }
  }

  /**
   * Writes a close frame to {@code d.out}, after which nothing more is forwarded to it. When the
   * stream from that side was refused its answer can no longer be read, so it is closed then.
   */
  void sendClose(Direction d, int code) {
    d.pendingClose = 0;
    d.stopped = true;
    d.closeForwarded = true;
    ByteBuf frame =
        d.towardsClient()
            ? CloseFrames.toClient(d.out.alloc(), code)
            : CloseFrames.toServer(d.out.alloc(), code, random.get());
    ChannelFuture written = d.out.writeAndFlush(frame);
    if (other(d).refusal != 0) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * The endpoint's connection ended without a close frame (a reset, a plain TCP close, a read
   * error: the backend died). The client gets {@code 1014 Bad Gateway} so it knows at once to
   * reconnect, unless it already has a close frame, its connection is gone, or part of a frame from
   * the endpoint already reached it (no frame of ours can follow a cut one; that client sees its
   * connection end, 1006). Nothing more can reach the endpoint: what the client still sends is
   * dropped and counted as such.
   *
   * @return true when the close frame went to the client
   */
  boolean upstreamLost() {
    Direction towardsClient = fromUpstream;
    fromClient.stopped = true;
    if (towardsClient.closeReceived
        || towardsClient.closeForwarded
        || towardsClient.stopped
        || !towardsClient.out.isActive()
        || !towardsClient.scanner.atBoundary()) {
      return false;
    }
    // Armed first, so that sideClosed leaves the client's connection open for its answer.
    armTimeout();
    closed("upstream", CloseFrames.BAD_GATEWAY);
    towardsClient.pendingClose = 0;
    towardsClient.stopped = true;
    towardsClient.closeForwarded = true;
    towardsClient.out.writeAndFlush(
        CloseFrames.toClient(
            towardsClient.out.alloc(), CloseFrames.BAD_GATEWAY, CloseFrames.UPSTREAM_LOST));
    return true;
  }

  /** Closes each connection whose close handshake is complete: sent to it and answered by it. */
  void closeAnsweredSides() {
    // The close frame sent to a channel is the one forwarded by the direction writing to it;
    // its answer is read by the direction reading from it.
    closeIfAnswered(fromUpstream, fromClient); // the client channel
    closeIfAnswered(fromClient, fromUpstream); // the upstream channel
  }

  private static void closeIfAnswered(Direction towards, Direction from) {
    if (towards.closeForwarded && from.closeReceived && from.in.isActive()) {
      from.in.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * The connection {@code d} reads from closed. The other connection gets what is already queued
   * for it, then is closed too; unless the proxy's own close handshake with it is still under way
   * (the close timer bounds that).
   */
  void sideClosed(Direction d) {
    Channel other = d.out;
    Direction towardsOther = d;
    Direction fromOther = other(d);
    boolean otherStillAnswering =
        closeTimer != null && towardsOther.closeForwarded && !fromOther.closeReceived;
    if (other.isActive() && !otherStillAnswering) {
      other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The relay ended: no close handshake is waited for any more. */
  void cancelTimeout() {
    if (closeTimer != null) {
      closeTimer.cancel(false);
    }
  }

  private void armTimeout() {
    if (closeTimer == null) {
      closeTimer =
          loop.schedule(
              onTimeout, WebSocketRelay.CLOSE_HANDSHAKE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private Direction other(Direction d) {
    return d == fromClient ? fromUpstream : fromClient;
  }
}
