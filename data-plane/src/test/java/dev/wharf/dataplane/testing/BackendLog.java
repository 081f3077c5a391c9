package dev.wharf.dataplane.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one {@link TestBackend} has seen: requests, connections, WebSocket close codes and whether
 * clients masked their frames.
 *
 * <p>Threading: the backend's event loop writes, test threads read; every field is a concurrent
 * structure, so neither side locks.
 */
final class BackendLog {
  private final String backendName;
  private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
  private final BlockingQueue<RecordedRequest> cutOff = new LinkedBlockingQueue<>();
  private final BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean allFramesMasked = true;
  private final AtomicLong flooded = new AtomicLong();
  private volatile boolean floodWaiting;
  private final AtomicReference<CompletableFuture<Void>> held =
      new AtomicReference<>(new CompletableFuture<>());

  BackendLog(String backendName) {
    this.backendName = backendName;
  }

  /** Counts a new connection and returns its 1-based number in accept order. */
  int connectionOpened() {
    open.incrementAndGet();
    return accepted.incrementAndGet();
  }

  void connectionClosed() {
    open.decrementAndGet();
  }

  /** Completes when the test releases the requests to {@code /hold} received until then. */
  CompletableFuture<Void> held() {
    return held.get();
  }

  /** Releases every held request; later ones are held again. */
  void releaseHeld() {
    held.getAndSet(new CompletableFuture<>()).complete(null);
  }

  void requestReceived(RecordedRequest request) {
    requests.add(request);
  }

  void requestCutOff(RecordedRequest request) {
    cutOff.add(request);
  }

  RecordedRequest takeCutOff(Duration timeout) {
    return take(cutOff, timeout, "request cut off by a close");
  }

  void closeFrameReceived(int statusCode) {
    closeCodes.add(statusCode);
  }

  void unmaskedFrameReceived() {
    allFramesMasked = false;
  }

  RecordedRequest takeRequest(Duration timeout) {
    return take(requests, timeout, "request");
  }

  int pendingRequests() {
    return requests.size();
  }

  /** Takes every request received and not taken yet, waiting for none. */
  List<RecordedRequest> takeUnconsumed() {
    List<RecordedRequest> left = new ArrayList<>();
    requests.drainTo(left);
    return left;
  }

  int takeCloseCode(Duration timeout) {
    return take(closeCodes, timeout, "WebSocket close frame");
  }

  int connectionsAccepted() {
    return accepted.get();
  }

  int openConnections() {
    return open.get();
  }

  void flooded(int bytes) {
    flooded.addAndGet(bytes);
  }

  void floodWaiting(boolean waiting) {
    floodWaiting = waiting;
  }

  long floodedBytes() {
    return flooded.get();
  }

  boolean floodWaiting() {
    return floodWaiting;
  }

  boolean allFramesMasked() {
    return allFramesMasked;
  }

  private <T> T take(BlockingQueue<T> queue, Duration timeout, String what) {
    try {
      T next = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new AssertionError(
            "backend " + backendName + " received no " + what + " within " + timeout);
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for a " + what, e);
    }
  }
}
