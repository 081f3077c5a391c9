package dev.wharf.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A watch listener that queues what it is given, for the test thread to take in order. It also
 * checks what every listener may rely on: one thread, versions strictly increasing.
 */
final class Deliveries implements Consumer<VersionedConfig> {
  static final Duration BOUND = Duration.ofSeconds(20);

  private final BlockingQueue<VersionedConfig> queue = new LinkedBlockingQueue<>();
  private volatile Thread thread;
  private volatile long last = -1;
  private volatile String broken;

  @Override
  public void accept(VersionedConfig config) {
    if (thread == null) {
      thread = Thread.currentThread();
    } else if (thread != Thread.currentThread()) {
      broken = "delivered on " + Thread.currentThread() + " after " + thread;
    }
    if (config.version() <= last) {
      broken = "version " + config.version() + " delivered after " + last;
    }
    last = config.version();
    queue.add(config);
  }

  /** The next delivery, waiting up to {@link #BOUND} for it. */
  VersionedConfig next() throws InterruptedException {
    VersionedConfig next = queue.poll(BOUND.toNanos(), TimeUnit.NANOSECONDS);
    assertHealthy();
    assertNotNull(next, "no delivery within " + BOUND.toSeconds() + " s (last was " + last + ")");
    return next;
  }

  /** The next delivery, which must be {@code version}. */
  VersionedConfig next(long version) throws InterruptedException {
    VersionedConfig next = next();
    assertEquals(version, next.version(), "the delivery after " + last + " is the wrong version");
    return next;
  }

  /** Nothing was delivered that was not taken yet. */
  void assertNothingPending() {
    assertHealthy();
    VersionedConfig pending = queue.peek();
    if (pending != null) {
      fail("unexpected delivery of version " + pending.version());
    }
  }

  private void assertHealthy() {
    if (broken != null) {
      fail(broken);
    }
  }
}
