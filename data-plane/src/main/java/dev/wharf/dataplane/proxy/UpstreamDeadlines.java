package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * nginx's {@code proxy_read_timeout} and {@code proxy_send_timeout} for one exchange:
 *
 * <ul>
 *   <li>read: once the request is sent, the endpoint may be quiet for at most the read timeout
 *       between two reads;
 *   <li>send: while the endpoint does not take the request body (its connection is not writable),
 *       it may stay so for at most the send timeout.
 * </ul>
 *
 * One timer each, re-armed lazily (a read only records its time). Confined to the exchange's event
 * loop.
 */
final class UpstreamDeadlines {
  private final EventLoop loop;
  private final Ticker ticker;
  private final Duration readTimeout;
  private final Duration sendTimeout;
  private final Consumer<UpstreamErrorKind> onExpiry;
  private long lastRead;
  private ScheduledFuture<?> readTimer;
  private ScheduledFuture<?> sendTimer;

  /** {@code onExpiry} gets READ_TIMEOUT or SEND_TIMEOUT. */
  UpstreamDeadlines(
      EventLoop loop,
      Ticker ticker,
      Duration readTimeout,
      Duration sendTimeout,
      Consumer<UpstreamErrorKind> onExpiry) {
    this.loop = loop;
    this.ticker = ticker;
    this.readTimeout = readTimeout;
    this.sendTimeout = sendTimeout;
    this.onExpiry = onExpiry;
  }

  /** The request is sent: the read timeout runs from now. */
  void awaitResponse() {
    lastRead = ticker.nanoTime();
    if (readTimer == null) {
      readTimer = schedule(this::checkRead, readTimeout.toNanos());
    }
  }

  /** Something arrived from the endpoint. */
  void readSeen() {
    lastRead = ticker.nanoTime();
  }

  /** The endpoint stopped taking the body. */
  void sendBlocked() {
    if (sendTimer == null) {
      sendTimer =
          schedule(
              () -> {
                sendTimer = null;
                onExpiry.accept(UpstreamErrorKind.SEND_TIMEOUT);
              },
              sendTimeout.toNanos());
    }
  }

  /** The endpoint takes the body again, or the body is complete. */
  void sendUnblocked() {
    cancel(sendTimer);
    sendTimer = null;
  }

  void cancelAll() {
    cancel(readTimer);
    readTimer = null;
    sendUnblocked();
  }

  private void checkRead() {
    readTimer = null;
    long quiet = ticker.nanoTime() - lastRead;
    long limit = readTimeout.toNanos();
    if (quiet < limit) {
      readTimer = schedule(this::checkRead, limit - quiet);
    } else {
      onExpiry.accept(UpstreamErrorKind.READ_TIMEOUT);
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long nanos) {
    return loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
