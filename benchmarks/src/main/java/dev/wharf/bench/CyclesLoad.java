package dev.wharf.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket open+close cycles: N cycles, at most K in flight. A cycle is a TCP connect, the
 * upgrade, a close 1000 as soon as it is open, the peer's close answer and the TCP close; the next
 * one starts when a cycle ends, so the rate is the proxy's handshake rate (both directions of the
 * pair: the client's connection and the proxy's upstream one).
 */
final class CyclesLoad {
  private static final long CLOSE_WAIT_SECONDS = 15;

  record Result(
      int cycles,
      int opened,
      int handshakeFailures,
      Duration window,
      LatencyHistogram cycleTimes,
      int abnormalCloses,
      int errors,
      String firstProblem) {

    double cyclesPerSecond() {
      return opened / (window.toNanos() / 1e9);
    }

    boolean clean() {
      return opened == cycles && abnormalCloses == 0 && errors == 0;
    }
  }

  private CyclesLoad() {}

  static Result run(
      URI url, Path trusted, int cycles, int threads, Duration handshakeTimeout, int inFlight)
      throws InterruptedException {
    // The tracker's own pacing is per handshake; a cycle holds its permit until it is closed.
    LoadTracker tracker = new LoadTracker(cycles, cycles);
    Semaphore permits = new Semaphore(inFlight);
    CountDownLatch ended = new CountDownLatch(cycles);
    LatencyHistogram times = new LatencyHistogram();
    long started = System.nanoTime();
    try (WsClient client = new WsClient(url, trusted, threads, handshakeTimeout)) {
      for (int i = 0; i < cycles; i++) {
        if (!permits.tryAcquire(handshakeTimeout.multipliedBy(2).toNanos(), TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException("cycles are not completing: " + tracker.firstProblem());
        }
        long cycleStart = System.nanoTime();
        Channel channel = client.connect(new ClosingConnection(tracker));
        channel
            .closeFuture()
            .addListener(
                f -> {
                  synchronized (times) {
                    times.record(System.nanoTime() - cycleStart);
                  }
                  permits.release();
                  ended.countDown();
                });
      }
      ended.await(CLOSE_WAIT_SECONDS + handshakeTimeout.toSeconds() * 2, TimeUnit.SECONDS);
    }
    Duration window = Duration.ofNanos(System.nanoTime() - started);
    synchronized (times) {
      return new Result(
          cycles,
          tracker.opened(),
          tracker.handshakeFailures(),
          window,
          times,
          tracker.abnormalCloses(),
          tracker.errors(),
          tracker.firstProblem());
    }
  }

  /** Starts the closing handshake as soon as the upgrade is complete. */
  private static final class ClosingConnection extends LoadConnection {
    ClosingConnection(LoadTracker tracker) {
      super(tracker);
    }

    @Override
    void onOpen(ChannelHandlerContext ctx) {
      closeNormally(ctx.channel());
    }

    @Override
    void onData(ChannelHandlerContext ctx, WebSocketFrame frame) {
      tracker.recordError(
          "unexpected " + frame.getClass().getSimpleName() + " on a closing connection");
    }
  }
}
