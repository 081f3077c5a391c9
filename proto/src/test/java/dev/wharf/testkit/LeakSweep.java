package dev.wharf.testkit;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;

/**
 * Makes Netty report the buffers that died unreleased: one collection, then allocations, which is
 * when a detector polls its queue of dead buffers. Only called when Netty is in use ({@link
 * LeakLog#nettyInUse()}), so this class is the only one of the leak check that needs Netty.
 */
final class LeakSweep {
  private static final long REFERENCE_WAIT_MILLIS = 10_000;

  private LeakSweep() {}

  /** Collects garbage once and returns every leak reported since the last sweep. */
  static List<String> sweep() throws InterruptedException {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
    System.gc();
    // The JVM queues a collection's dead references in one batch: once the sentinel of this
    // collection is queued, so are the dead buffers' (no sleep, no guessing).
    queue.remove(REFERENCE_WAIT_MILLIS);
    sentinel.clear();
    Unpooled.buffer(1).release();
    PooledByteBufAllocator.DEFAULT.buffer(1).release();
    PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
    return LeakLog.takeLeaks();
  }
}
