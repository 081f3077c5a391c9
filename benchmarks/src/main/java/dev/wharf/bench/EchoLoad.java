package dev.wharf.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop WebSocket echo load: N connections open first, then all start at once and each keeps
 * exactly one message in flight for the duration. Messages per second and round-trip percentiles
 * cover that window only.
 */
final class EchoLoad {
  private static final Duration QUIET_GRACE = Duration.ofSeconds(10);
  private static final long CLOSE_WAIT_SECONDS = 15;

  record Result(
      int connections,
      int opened,
      int handshakeFailures,
      Duration window,
      long messages,
      LatencyHistogram roundTrips,
      int abnormalCloses,
      int errors,
      String firstProblem) {

    double messagesPerSecond() {
      return messages / (window.toNanos() / 1e9);
    }

    boolean clean() {
      return opened == connections && abnormalCloses == 0 && errors == 0 && messages > 0;
    }
  }

  private EchoLoad() {}

  static Result run(
      URI url,
      Path trusted,
      int connections,
      int threads,
      Duration duration,
      int size,
      Duration handshakeTimeout,
      int maxPending)
      throws InterruptedException {
    ByteBuf storage =
        Unpooled.directBuffer(size)
            .writeBytes("x".repeat(size).getBytes(StandardCharsets.US_ASCII));
    try {
      return run(
          url,
          trusted,
          connections,
          threads,
          duration,
          handshakeTimeout,
          maxPending,
          Unpooled.unreleasableBuffer(storage.asReadOnly()));
    } finally {
      storage.release();
    }
  }

  private static Result run(
      URI url,
      Path trusted,
      int connections,
      int threads,
      Duration duration,
      Duration handshakeTimeout,
      int maxPending,
      ByteBuf payload)
      throws InterruptedException {
    LoadTracker tracker = new LoadTracker(connections, maxPending);
    CountDownLatch quiet = new CountDownLatch(connections);
    List<EchoConnection> open = new ArrayList<>(connections);
    List<Channel> channels = new ArrayList<>(connections);
    try (WsClient client = new WsClient(url, trusted, threads, handshakeTimeout)) {
      for (int i = 0; i < connections; i++) {
        if (!tracker.awaitConnectPermit(handshakeTimeout.multipliedBy(2))) {
          throw new IllegalStateException(
              "handshakes are not completing: " + tracker.firstProblem());
        }
        EchoConnection connection = new EchoConnection(tracker, payload, quiet);
        open.add(connection);
        channels.add(client.connect(connection));
      }
      tracker.awaitSettled(handshakeTimeout.multipliedBy(2));

      long deadline = System.nanoTime() + duration.toNanos();
      for (int i = 0; i < connections; i++) {
        EchoConnection connection = open.get(i);
        channels.get(i).eventLoop().execute(() -> connection.start(deadline));
      }
      quiet.await(duration.plus(QUIET_GRACE).toNanos(), TimeUnit.NANOSECONDS);

      for (Channel channel : channels) {
        LoadConnection.closeNormally(channel);
      }
      for (Channel channel : channels) {
        channel.closeFuture().await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    }
    LatencyHistogram all = new LatencyHistogram();
    long messages = 0;
    for (EchoConnection connection : open) {
      all.add(connection.roundTrips());
      messages += connection.messages();
    }
    return new Result(
        connections,
        tracker.opened(),
        tracker.handshakeFailures(),
        duration,
        messages,
        all,
        tracker.abnormalCloses(),
        tracker.errors(),
        tracker.firstProblem());
  }
}
