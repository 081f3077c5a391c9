package dev.wharf.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A drain listener that queues the node ids it is given, for the test thread to take in order. It
 * also checks what every drain listener may rely on: one store thread, never the thread that
 * created it (the test's, which makes the requests).
 */
final class DrainDeliveries implements Consumer<String> {
  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final Thread caller = Thread.currentThread();
  private volatile Thread thread;
  private volatile String broken;

  @Override
  public void accept(String nodeId) {
    Thread current = Thread.currentThread();
    if (current == caller) {
      broken = "node " + nodeId + " delivered on the caller's thread " + current;
    } else if (thread == null) {
      thread = current;
    } else if (thread != current) {
      broken = "delivered on " + current + " after " + thread;
    }
    queue.add(nodeId);
  }

  /** The next delivery, which must be {@code nodeId}, waiting up to {@link Deliveries#BOUND}. */
  void next(String nodeId) throws InterruptedException {
    String next = queue.poll(Deliveries.BOUND.toNanos(), TimeUnit.NANOSECONDS);
    assertHealthy();
    assertNotNull(
        next,
        "no drain request delivered within "
            + Deliveries.BOUND.toSeconds()
            + " s (expected: "
            + nodeId
            + ")");
    assertEquals(nodeId, next, "the next drain request delivered");
  }

  /** Nothing was delivered that was not taken yet. */
  void assertNothingPending() {
    assertHealthy();
    String pending = queue.peek();
    if (pending != null) {
      fail("unexpected drain request for " + pending);
    }
  }

  private void assertHealthy() {
    if (broken != null) {
      fail(broken);
    }
  }
}
