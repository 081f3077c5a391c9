package dev.wharf.dataplane.server;

import dev.wharf.config.Durations;
import dev.wharf.proto.config.v1.Listener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * nginx's client-side timeouts, first in a client connection's pipeline so it sees raw bytes:
 *
 * <ul>
 *   <li>{@code client_header_timeout}: the whole request head must arrive within it, counted from
 *       the accept (first request) or from the first byte (later requests); else the connection is
 *       closed, as nginx does, without a response;
 *   <li>{@code client_body_timeout}: while the body is read, a read asked for must be answered
 *       within it; else {@link BodyTimeout} goes down the pipeline and the dispatcher answers 408;
 *   <li>{@code keepalive_timeout}: an idle keep-alive connection is closed after it;
 *   <li>{@code send_timeout}: a client that takes nothing we write for this long is closed. Buffers
 *       show it through writability; a file sent zero-copy does not (the kernel reads it), so the
 *       progress of a {@link FileRegion} is watched instead.
 * </ul>
 *
 * The dispatcher says where the connection is ({@link #requestHeadRead}, {@link #requestBodyRead},
 * {@link #idle}). One timer per connection, re-armed for the nearest deadline.
 *
 * <p>Confined to the connection's event loop; time comes from the injected ticker.
 */
final class ClientTimeouts extends ChannelDuplexHandler {
  static final Duration DEFAULT_HEADER = Duration.ofSeconds(60);
  static final Duration DEFAULT_BODY = Duration.ofSeconds(60);
  static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(75);
  static final Duration DEFAULT_SEND = Duration.ofSeconds(60);

  /** Fired into the pipeline when the client stopped sending its request body. */
  enum BodyTimeout {
    INSTANCE
  }

  private enum Phase {
    HEAD,
    BODY,
    BUSY,
    IDLE
  }

  private final long headerNanos;
  private final long bodyNanos;
  private final long keepAliveNanos;
  private final long sendNanos;
  private final Ticker ticker;

  private ChannelHandlerContext ctx;
  private Phase phase = Phase.HEAD;
  private long phaseSince;
  private long readWantedSince = -1;
  private long unwritableSince = -1;
  private FileRegion region;
  private long regionTransferred;
  private long regionMovedAt;
  private ScheduledFuture<?> timer;
  private long timerDeadline;

  ClientTimeouts(Listener listener, Ticker ticker) {
    this.headerNanos =
        nanos(listener.hasClientHeaderTimeout(), listener.getClientHeaderTimeout(), DEFAULT_HEADER);
    this.bodyNanos =
        nanos(listener.hasClientBodyTimeout(), listener.getClientBodyTimeout(), DEFAULT_BODY);
    this.keepAliveNanos = keepAliveNanos(listener);
    this.sendNanos = nanos(listener.hasSendTimeout(), listener.getSendTimeout(), DEFAULT_SEND);
    this.ticker = ticker;
  }

  /** {@code keepalive_timeout} in nanoseconds, 0 for none. */
  private static long keepAliveNanos(Listener listener) {
    return nanos(listener.hasKeepaliveTimeout(), listener.getKeepaliveTimeout(), DEFAULT_KEEPALIVE);
  }

  /**
   * How long an HTTP/2 connection may stay without a stream: {@code keepalive_timeout}, as in
   * nginx; with keep-alive off ({@code 0}) there is no idle connection to keep, and {@code
   * client_header_timeout} bounds the wait for the next stream instead.
   */
  static long http2IdleNanos(Listener listener) {
    long keepAlive = keepAliveNanos(listener);
    return keepAlive > 0
        ? keepAlive
        : nanos(
            listener.hasClientHeaderTimeout(), listener.getClientHeaderTimeout(), DEFAULT_HEADER);
  }

  /** nginx's {@code keepalive_timeout 0}: no request after the first. */
  boolean keepAliveEnabled() {
    return keepAliveNanos > 0;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    phaseSince = ticker.nanoTime();
    if (ctx.channel().isActive()) {
      rearm();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    rearm();
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readWantedSince = -1;
    if (phase == Phase.IDLE && msg instanceof ByteBuf) {
      enter(Phase.HEAD); // the next request started: its head must come in time
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (readWantedSince < 0) {
      readWantedSince = ticker.nanoTime();
      if (phase == Phase.BODY) {
        rearm();
      }
    }
    ctx.read();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    unwritableSince = ctx.channel().isWritable() ? -1 : ticker.nanoTime();
    rearm();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof FileRegion r) {
      promise = promise.unvoid();
      watch(r, promise);
    }
    ctx.write(msg, promise);
  }

  private void watch(FileRegion r, ChannelPromise written) {
    region = r;
    regionTransferred = r.transferred();
    regionMovedAt = ticker.nanoTime();
    written.addListener(
        f -> {
          if (region == r) {
            region = null;
          }
        });
    rearm();
  }

  /** The head of a request was read; its body, if any, follows. */
  void requestHeadRead(boolean bodyFollows) {
    enter(bodyFollows ? Phase.BODY : Phase.BUSY);
  }

  /** The whole request was read; the response is under way. */
  void requestBodyRead() {
    enter(Phase.BUSY);
  }

  /** The response was sent; the connection waits for another request. */
  void idle() {
    enter(Phase.IDLE);
  }

  private void enter(Phase next) {
    phase = next;
    phaseSince = ticker.nanoTime();
    rearm();
  }

  private long deadline() {
    long d = Long.MAX_VALUE;
    switch (phase) {
      case HEAD -> d = phaseSince + headerNanos;
      case BODY -> d = readWantedSince < 0 ? Long.MAX_VALUE : readWantedSince + bodyNanos;
      case IDLE -> d = phaseSince + keepAliveNanos;
      case BUSY -> {}
    }
    if (unwritableSince >= 0) {
      d = Math.min(d, unwritableSince + sendNanos);
    }
    if (region != null) {
      d = Math.min(d, regionMovedAt + sendNanos);
    }
    return d;
  }

  private void rearm() {
    if (ctx == null) {
      return;
    }
    long deadline = deadline();
    if (timer != null && timerDeadline <= deadline) {
      return; // the armed timer fires first and re-arms itself
    }
    cancel();
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    timerDeadline = deadline;
    timer =
        ctx.executor()
            .schedule(
                this::expire, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void expire() {
    timer = null;
    long now = ticker.nanoTime();
    if (!ctx.channel().isActive()) {
      return;
    }
    if ((unwritableSince >= 0 && now - unwritableSince >= sendNanos) || regionStalled(now)) {
      ctx.close();
    } else if ((phase == Phase.HEAD && now - phaseSince >= headerNanos)
        || (phase == Phase.IDLE && now - phaseSince >= keepAliveNanos)) {
      ctx.close();
    } else if (phase == Phase.BODY && readWantedSince >= 0 && now - readWantedSince >= bodyNanos) {
      phase = Phase.BUSY;
      ctx.fireUserEventTriggered(BodyTimeout.INSTANCE);
    } else {
      rearm();
    }
  }

  /** Whether the file region being sent has not moved for send_timeout. */
  private boolean regionStalled(long now) {
    if (region == null) {
      return false;
    }
    long transferred = region.transferred();
    if (transferred != regionTransferred) {
      regionTransferred = transferred;
      regionMovedAt = now;
      return false;
    }
    return now - regionMovedAt >= sendNanos;
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private static long nanos(boolean set, com.google.protobuf.Duration value, Duration fallback) {
    return (set ? Durations.toJava(value) : fallback).toNanos();
  }
}
