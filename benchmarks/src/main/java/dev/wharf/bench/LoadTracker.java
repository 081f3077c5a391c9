package dev.wharf.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What happened to the connections of one load run, counted from their event loops and read by the
 * controlling thread. It also paces connection setup: at most {@code maxPending} handshakes are in
 * flight at once, so thousands of connections do not overflow the proxy's accept backlog.
 */
final class LoadTracker {
  private final CountDownLatch settled;
  private final Semaphore pending;
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger handshakeFailures = new AtomicInteger();
  private final AtomicInteger abnormalCloses = new AtomicInteger();
  private final AtomicInteger errors = new AtomicInteger();
  private final AtomicReference<String> firstProblem = new AtomicReference<>();

  LoadTracker(int connections, int maxPending) {
    this.settled = new CountDownLatch(connections);
    this.pending = new Semaphore(maxPending);
  }

  /** Blocks until another handshake may start; false if {@code timeout} passed first. */
  boolean awaitConnectPermit(Duration timeout) throws InterruptedException {
    return pending.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Every connection calls exactly one of {@link #recordOpened()} or {@link
   * #recordHandshakeFailure}.
   */
  void recordOpened() {
    opened.incrementAndGet();
    settle();
  }

  void recordHandshakeFailure(String why) {
    handshakeFailures.incrementAndGet();
    problem("handshake failed: " + why);
    settle();
  }

  /** The connection ended without the closing handshake this side started. */
  void recordAbnormalClose(String why) {
    abnormalCloses.incrementAndGet();
    problem("abnormal close: " + why);
  }

  void recordError(String why) {
    errors.incrementAndGet();
    problem(why);
  }

  private void settle() {
    pending.release();
    settled.countDown();
  }

  private void problem(String why) {
    firstProblem.compareAndSet(null, why);
  }

  /** Waits until every connection has either opened or failed; false on timeout. */
  boolean awaitSettled(Duration timeout) throws InterruptedException {
    return settled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  int opened() {
    return opened.get();
  }

  int handshakeFailures() {
    return handshakeFailures.get();
  }

  int abnormalCloses() {
    return abnormalCloses.get();
  }

  int errors() {
    return errors.get();
  }

  /** The first thing that went wrong, for the report; null if nothing did. */
  String firstProblem() {
    return firstProblem.get();
  }
}
