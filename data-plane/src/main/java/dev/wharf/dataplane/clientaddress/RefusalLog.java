package dev.wharf.dataplane.clientaddress;

import io.netty.util.concurrent.Ticker;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused PROXY connections without letting a flood of them flood the log: one WARN line per
 * interval (with how many were refused meanwhile), the rest at DEBUG. The metric counts them all.
 * Thread-safe.
 */
final class RefusalLog {
  private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final AtomicLong nextWarning = new AtomicLong();
  private static final AtomicLong quiet = new AtomicLong();

  private RefusalLog() {}

  static void refused(
      Ticker ticker, String listener, String reason, SocketAddress peer, String detail) {
    long now = ticker.nanoTime();
    long next = nextWarning.get();
    if ((next == 0 || now - next >= 0) && nextWarning.compareAndSet(next, now + INTERVAL_NANOS)) {
      long suppressed = quiet.getAndSet(0);
      log.warn(
          "listener {}: closed a connection from {} ({}: {}); {} more refused since the last"
              + " warning",
          listener,
          peer,
          reason,
          detail,
          suppressed);
    } else {
      quiet.incrementAndGet();
      log.debug(
          "listener {}: closed a connection from {} ({}: {})", listener, peer, reason, detail);
    }
  }
}
