package dev.wharf.dataplane.websocket;

import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.drain.Drainable;
import dev.wharf.dataplane.drain.Placement;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.metrics.WebSocketMessageCounters;
import dev.wharf.dataplane.node.NodeServices;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket after its handshake: bytes relayed both ways as they come, with the frame boundaries
 * of each direction followed by a {@link FrameScanner}, so that the proxy can count messages and
 * end the connection cleanly.
 *
 * <p>Ending cleanly ({@link #goAway}: idle timeout, node drain, or a drain policy applied by the
 * {@code ConnectionDrainer}): a {@code 1001} close frame is written to each side at the next frame
 * boundary of the stream going to that side (masked towards the endpoint, which sees the proxy as
 * its client); from then on nothing more is forwarded to that side. Each connection is closed once
 * its side answered the close frame, or when the close handshake timeout runs out.
 *
 * <p>Refusing a stream ({@link #refuse}): a message over the maximum message size gets its sender
 * {@code 1009 Message Too Big} and a protocol error {@code 1002}; the peer gets {@code 1001} in
 * place of the frame that broke the stream, none of whose bytes it receives. The sender's bytes can
 * no longer be followed, so its connection is closed once its close frame is written; the peer's
 * close handshake runs as for {@code goAway}.
 *
 * <p>Backpressure: a side whose peer cannot take more is not read until the peer can.
 *
 * <p>The close frames' order and timing for both endings live in {@link CloseHandshakes}; this
 * class relays bytes and decides when to end.
 *
 * <p>Both connections live on one event loop, and so does everything here.
 */
public final class WebSocketRelay implements Drainable {
  /** How long the proxy waits for the close handshake it started before it closes the sockets. */
  static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  public static final String HANDLER = "ws-relay";

  private final Channel clientChannel;
  private final Channel upstreamChannel;
  private final Placement placement;
  private final String route;
  private final Duration idleTimeout;
  private final long maxMessageSize;
  private final RequestRecord record;
  private final NodeServices services;
  private final ConnectionDrainer drainer;
  private final Runnable onEnd;
  private final Direction fromClient;
  private final Direction fromUpstream;
  private final CloseHandshakes closing;
  private final long startNanos;

  private long lastActivity;
  private ScheduledFuture<?> idleTimer;
  private boolean started;
  private boolean ended;

  /**
   * One direction of the relay: what is read from {@code in} is written to {@code out}. It also
   * listens for {@code in}'s close, so that opening a WebSocket adds no listener object of its own.
   */
  final class Direction implements FrameScanner.Listener, ChannelFutureListener {
    final Channel in;
    final Channel out;
    final ScannerSlot scanner = new ScannerSlot(maxMessageSize); // scanner only mid-frame
    final String sender;
    final Counter messages; // this route's, for this direction; resolved once per WebSocket
    final Counter dropped; // messages read after nothing more could go to `out`
    long uncounted; // messages of the current read, added to `messages` when the read completes
    long uncountedDrops; // the same for `dropped`
    boolean closeForwarded; // a close frame went to `out`, from `in` or from us
    boolean closeReceived; // `in` sent a close frame
    int pendingClose; // the code of a close frame waiting for the next boundary towards `out`
    int refusal; // the close code for `in` once its stream was refused, else 0
    boolean stopped; // nothing more goes to `out`
    ArrayDeque<ByteBuf> early; // read before start(), made at the first such read; rarely any

    Direction(Channel in, Channel out, String sender, Counter messages, Counter dropped) {
      this.in = in;
      this.out = out;
      this.sender = sender;
      this.messages = messages;
      this.dropped = dropped;
    }

    @Override
    public void onFrame(int opcode, boolean fin) {
      if (fin && opcode <= FrameScanner.OPCODE_BINARY) {
        if (stopped) {
          uncountedDrops++;
        } else {
          uncounted++;
        }
      }
    }

    @Override
    public void onClose(int code) {
      closeReceived = true;
      if (!stopped) {
        closeForwarded = true;
      }
      closing.closed(sender, code);
    }

    @Override
    public void onProtocolError(String reason) {
      refusal = 1002;
    }

    @Override
    public void onMessageTooBig(long size) {
      refusal = CloseFrames.MESSAGE_TOO_BIG;
    }

    boolean towardsClient() {
      return out == clientChannel;
    }

    @Override
    public void operationComplete(ChannelFuture closed) {
      sideClosed(this);
    }
  }

  private WebSocketRelay(
      Channel client,
      Channel upstream,
      Placement placement,
      Duration idleTimeout,
      long maxMessageSize,
      RequestRecord record,
      NodeServices services,
      ConnectionDrainer drainer,
      Runnable onEnd) {
    this.clientChannel = client;
    this.upstreamChannel = upstream;
    this.placement = placement;
    this.route = placement.route();
    this.idleTimeout = idleTimeout;
    this.maxMessageSize = maxMessageSize;
    this.record = record;
    this.services = services;
    this.drainer = drainer;
    this.onEnd = onEnd;
    WebSocketMessageCounters counters = services.metrics().webSocketMessages(route);
    this.fromClient =
        new Direction(
            client, upstream, "client", counters.fromClient(), counters.droppedFromClient());
    this.fromUpstream =
        new Direction(
            upstream, client, "upstream", counters.fromUpstream(), counters.droppedFromUpstream());
    this.closing =
        new CloseHandshakes(
            fromClient, fromUpstream, services.random(), client.eventLoop(), this::closeTimedOut);
    this.startNanos = now();
    this.lastActivity = startNanos;
  }

  /**
   * Creates the relay of a connection pair whose handshake just completed.
   *
   * @param placement the route, upstream and endpoint the pair was placed on, for drains
   * @param maxMessageSize the largest message, in payload bytes, relayed either way
   * @param drainer where the relay registers while open, so drains can close it
   * @param onEnd runs once when both connections are closed
   */
  public static WebSocketRelay create(
      Channel client,
      Channel upstream,
      Placement placement,
      Duration idleTimeout,
      long maxMessageSize,
      RequestRecord record,
      NodeServices services,
      ConnectionDrainer drainer,
      Runnable onEnd) {
    return new WebSocketRelay(
        client, upstream, placement, idleTimeout, maxMessageSize, record, services, drainer, onEnd);
  }

  @Override
  public Placement placement() {
    return placement;
  }

  @Override
  public EventExecutor executor() {
    return clientChannel.eventLoop();
  }

  /** The handler to put last in the client connection's pipeline. */
  public ChannelHandler clientHandler() {
    return new RelayHandler(this, fromClient);
  }

  /** The handler to put last in the upstream connection's pipeline. */
  public ChannelHandler upstreamHandler() {
    return new RelayHandler(this, fromUpstream);
  }

  /**
   * Starts relaying: bytes the HTTP codecs still held when they were removed go first, then both
   * connections read on their own.
   */
  public void start() {
    started = true;
    services.metrics().webSocketOpened(route);
    for (Direction d : new Direction[] {fromClient, fromUpstream}) {
      for (ArrayDeque<ByteBuf> early = d.early; early != null && !early.isEmpty(); ) {
        onRead(d, early.poll());
      }
      d.early = null;
      d.out.flush();
      countMessages(d);
    }
    clientChannel.config().setAutoRead(true);
    upstreamChannel.config().setAutoRead(true);
    idleTimer = schedule(this::checkIdle, idleTimeout.toNanos());
    clientChannel.closeFuture().addListener(fromClient);
    upstreamChannel.closeFuture().addListener(fromUpstream);
    drainer.opened(this);
  }

  // ---- relaying -------------------------------------------------------------------------------

  void onRead(Direction d, ByteBuf buf) {
    if (!started) {
      if (d.early == null) {
        d.early = new ArrayDeque<>(2);
      }
      d.early.add(buf); // the pipelines are still being rebuilt
      return;
    }
    lastActivity = now();
    if (d.stopped) {
      d.scanner.get().scan(buf, false, d); // only listening for the close answer
      buf.release();
    } else if (d.pendingClose != 0) {
      int n = d.scanner.get().scan(buf, true, d);
      if (d.refusal != 0) {
        closing.refuse(d, buf);
      } else if (d.scanner.atBoundary()) {
        if (n > 0) {
          d.out.write(buf.retainedSlice(buf.readerIndex(), n));
        }
        closing.sendClose(d, d.pendingClose);
        buf.skipBytes(n);
        d.scanner.get().scan(buf, false, d);
        buf.release();
      } else {
        d.out.write(buf);
      }
    } else {
      d.scanner.get().scan(buf, false, d);
      if (d.refusal != 0) {
        closing.refuse(d, buf);
      } else {
        d.out.write(buf);
        if (!d.out.isWritable()) {
          d.in.config().setAutoRead(false);
        }
      }
    }
    d.scanner.settle();
    closing.closeAnsweredSides();
  }

  void onReadComplete(Direction d) {
    d.out.flush();
    countMessages(d);
  }

  /** One adder update per read, however many messages it carried. */
  private static void countMessages(Direction d) {
    if (d.uncounted > 0) {
      d.messages.increment(d.uncounted);
      d.uncounted = 0;
    }
    if (d.uncountedDrops > 0) {
      d.dropped.increment(d.uncountedDrops);
      d.uncountedDrops = 0;
    }
  }

  void onWritable(Channel channel) {
    Direction feeding = channel == clientChannel ? fromUpstream : fromClient;
    if (channel.isWritable()) {
      feeding.in.config().setAutoRead(true);
    }
  }

  // ---- ending ---------------------------------------------------------------------------------

  /**
   * Ends the WebSocket with {@code 1001 Going Away} to both sides, each at a frame boundary. Call
   * on the event loop.
   */
  @Override
  public void goAway() {
    if (ended) {
      return;
    }
    closing.goAway();
  }

  /** The close handshake the proxy started was not answered in time. */
  private void closeTimedOut() {
    end(1006, "proxy");
  }

  private void sideClosed(Direction d) {
    if (d == fromUpstream && !fromUpstream.closeReceived && !ended) {
      closing.upstreamLost();
    }
    // Without a close frame before, the side whose connection went first ended the WebSocket
    // (a reset stream, a client gone), not the one the relay then closed.
    closing.closed(d.sender, 1006);
    closing.sideClosed(d);
    if (!clientChannel.isActive() && !upstreamChannel.isActive()) {
      end(1006, d.sender);
    }
  }

  private void end(int codeIfNone, String byIfNone) {
    if (ended) {
      return;
    }
    ended = true;
    for (Direction d : new Direction[] {fromClient, fromUpstream}) {
      if (d.early != null) {
        d.early.forEach(ByteBuf::release);
        d.early = null;
      }
      countMessages(d);
    }
    closing.closed(byIfNone, codeIfNone);
    cancel(idleTimer);
    closing.cancelTimeout();
    // Usually both closed already; closing a closed channel still costs Netty an exception.
    closeIfOpen(clientChannel);
    closeIfOpen(upstreamChannel);
    long lifetime = now() - startNanos;
    drainer.closed(this);
    services.metrics().webSocketClosed(route, closing.closeCode(), closing.closedBy(), lifetime);
    record.finished(now());
    onEnd.run();
  }

  private static void closeIfOpen(Channel channel) {
    if (channel.isOpen()) {
      channel.close();
    }
  }

  private void checkIdle() {
    idleTimer = null;
    if (ended) {
      return;
    }
    long quiet = now() - lastActivity;
    long limit = idleTimeout.toNanos();
    if (quiet >= limit) {
      goAway();
    } else {
      idleTimer = schedule(this::checkIdle, limit - quiet);
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long nanos) {
    return clientChannel.eventLoop().schedule(task, nanos, TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private long now() {
    return services.ticker().nanoTime();
  }
}
