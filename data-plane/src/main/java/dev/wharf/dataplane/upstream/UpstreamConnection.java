package dev.wharf.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection to an endpoint, and the last handler of its pipeline. While an exchange uses it,
 * every event goes to that exchange's {@link UpstreamListener}; while it idles in a pool, anything
 * the endpoint sends is unexpected and ends it, and a close removes it from the pool.
 *
 * <p>Confined to its event loop. {@code AUTO_READ} is off: the exchange asks for each read, so a
 * slow client slows the endpoint down instead of filling memory.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
  private final UpstreamEndpoint endpoint;
  private Channel channel;
  private UpstreamListener listener;
  private UpstreamPool idleIn;
  private ScheduledFuture<?> idleTimer;
  private long idleSince;
  private long idleTimeout;
  private int requests;

  UpstreamConnection(UpstreamEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  public UpstreamEndpoint endpoint() {
    return endpoint;
  }

  public Channel channel() {
    return channel;
  }

  /** Requests started on this connection, the current one included. */
  public int requests() {
    return requests;
  }

  public void attach(UpstreamListener l) {
    listener = l;
    requests++;
  }

  /** Stops reporting to the current exchange; the caller pools or closes the connection. */
  public void detach() {
    listener = null;
  }

  /**
   * The connection idles in {@code pool} from now, and is closed after {@code idleTimeoutNanos} of
   * idling. The idle timer outlives the pooling: a connection pooled again before it fires leaves
   * it armed, and when it fires it re-arms itself for what is left of the current idle period (or
   * does nothing while the connection is in use). A kept-alive connection then costs no timer per
   * request, where scheduling on every pooling and cancelling on every reuse did.
   */
  void pooledIn(UpstreamPool pool, long idleTimeoutNanos) {
    idleIn = pool;
    idleSince = channel.eventLoop().ticker().nanoTime();
    idleTimeout = idleTimeoutNanos;
    if (idleTimer != null && idleTimer.getDelay(TimeUnit.NANOSECONDS) > idleTimeoutNanos) {
      idleTimer.cancel(false); // the timeout got shorter since the timer was armed
      idleTimer = null;
    }
    if (idleTimer == null) {
      armIdleTimer(idleTimeoutNanos);
    }
    // A read stays pending while idle, so the endpoint closing the connection is noticed.
    channel.read();
  }

  void unpooled() {
    idleIn = null;
  }

  private void armIdleTimer(long delayNanos) {
    idleTimer =
        channel.eventLoop().schedule(this::idleTimerFired, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void idleTimerFired() {
    idleTimer = null;
    UpstreamPool pool = idleIn;
    if (pool == null) {
      return; // in use: its next pooling arms the timer again
    }
    long left = idleSince + idleTimeout - channel.eventLoop().ticker().nanoTime();
    if (left > 0) {
      armIdleTimer(left); // reused and pooled again since the timer was armed
    } else if (pool.remove(this)) {
      channel.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (listener != null) {
      listener.onUpstreamMessage(msg);
      return;
    }
    ReferenceCountUtil.release(msg);
    ctx.close(); // data on an idle connection: the endpoint and Wharf disagree on framing
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onUpstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleIn != null) {
      idleIn.remove(this);
    }
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    UpstreamListener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamListener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.onUpstreamClosed(cause);
    }
  }
}
