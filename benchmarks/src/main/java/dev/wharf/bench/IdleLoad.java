package dev.wharf.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Opens N WebSockets, prints {@code ready K} once every handshake has completed or failed, holds
 * them idle, then closes them all with 1000. The hold ends when the hold file is deleted (or, with
 * no hold file, when standard input closes), and in any case after {@code maxHold}.
 */
final class IdleLoad {
  private static final long CLOSE_WAIT_SECONDS = 15;

  record Result(
      int connections,
      int opened,
      int handshakeFailures,
      Duration opening,
      Duration held,
      int abnormalCloses,
      int errors,
      String firstProblem) {

    /** Connections opened per second while they were being opened. */
    double openingRate() {
      return opened / Math.max(opening.toNanos() / 1e9, 1e-9);
    }

    boolean clean() {
      return opened == connections && abnormalCloses == 0 && errors == 0;
    }
  }

  private IdleLoad() {}

  static Result run(
      URI url,
      Path trusted,
      int connections,
      int threads,
      Duration handshakeTimeout,
      int maxPending,
      Path holdFile,
      Duration maxHold,
      PrintStream out)
      throws InterruptedException {
    LoadTracker tracker = new LoadTracker(connections, maxPending);
    List<Channel> channels = new ArrayList<>(connections);
    long heldNanos;
    long openingNanos;
    try (WsClient client = new WsClient(url, trusted, threads, handshakeTimeout)) {
      long openingFrom = System.nanoTime();
      for (int i = 0; i < connections; i++) {
        if (!tracker.awaitConnectPermit(handshakeTimeout.multipliedBy(2))) {
          throw new IllegalStateException(
              "handshakes are not completing: " + tracker.firstProblem());
        }
        channels.add(client.connect(new IdleConnection(tracker)));
      }
      tracker.awaitSettled(handshakeTimeout.multipliedBy(2));
      openingNanos = System.nanoTime() - openingFrom;
      if (tracker.handshakeFailures() > 0) {
        out.println(
            "failed " + tracker.handshakeFailures() + " (first: " + tracker.firstProblem() + ")");
      }
      out.println("ready " + tracker.opened());
      out.flush();

      long heldFrom = System.nanoTime();
      awaitRelease(holdFile, maxHold);
      heldNanos = System.nanoTime() - heldFrom;

      for (Channel channel : channels) {
        LoadConnection.closeNormally(channel);
      }
      for (Channel channel : channels) {
        channel.closeFuture().await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    }
    return new Result(
        connections,
        tracker.opened(),
        tracker.handshakeFailures(),
        Duration.ofNanos(openingNanos),
        Duration.ofNanos(heldNanos),
        tracker.abnormalCloses(),
        tracker.errors(),
        tracker.firstProblem());
  }

  private static void awaitRelease(Path holdFile, Duration maxHold) throws InterruptedException {
    long until = System.nanoTime() + maxHold.toNanos();
    if (holdFile != null) {
      while (Files.exists(holdFile) && System.nanoTime() - until < 0) {
        Thread.sleep(100);
      }
      return;
    }
    CountDownLatch stdinClosed = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              drain(System.in);
              stdinClosed.countDown();
            },
            "ws-load-stdin");
    reader.setDaemon(true);
    reader.start();
    stdinClosed.await(maxHold.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) != -1) {
        // Nothing to read: only the end of the stream matters.
      }
    } catch (IOException e) {
      // A broken stdin ends the hold just like a closed one.
    }
  }

  /** Sends nothing; anything the peer sends to an idle connection is counted as an error. */
  private static final class IdleConnection extends LoadConnection {
    IdleConnection(LoadTracker tracker) {
      super(tracker);
    }

    @Override
    void onOpen(ChannelHandlerContext ctx) {}

    @Override
    void onData(ChannelHandlerContext ctx, WebSocketFrame frame) {
      tracker.recordError(
          "unexpected " + frame.getClass().getSimpleName() + " on an idle connection");
    }
  }
}
