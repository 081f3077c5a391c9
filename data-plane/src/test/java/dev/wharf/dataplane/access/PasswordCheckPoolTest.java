package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The password threads' bounds: half the cores at most, and a short queue that refuses the rest.
 */
@Timeout(30)
class PasswordCheckPoolTest {

  @Test
  void bcryptMayUseAtMostHalfTheEventLoopsButAlwaysOneThread() {
    assertEquals(1, PasswordCheckPool.threads(1));
    assertEquals(1, PasswordCheckPool.threads(2));
    assertEquals(2, PasswordCheckPool.threads(4));
    assertEquals(8, PasswordCheckPool.threads(16));
  }

  @Test
  void aCheckBeyondTheQueueIsRefusedAtOnceAndCountedWhileQueuedOnesStillRun() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService pool = PasswordCheckPool.create(2, registry); // one thread
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    try {
      pool.execute(
          () -> {
            running.countDown();
            awaitQuietly(release);
          });
      running.await();
      for (int i = 0; i < PasswordCheckPool.QUEUED_PER_THREAD; i++) {
        pool.execute(ran::incrementAndGet);
      }
      assertEquals(
          PasswordCheckPool.QUEUED_PER_THREAD,
          registry.get("wharf.password_checks.queued").gauge().value());

      assertThrows(RejectedExecutionException.class, () -> pool.execute(ran::incrementAndGet));
      assertEquals(1.0, registry.get("wharf.password_checks.refused").counter().count());

      release.countDown();
      pool.shutdown();
      assertEquals(true, pool.awaitTermination(20, TimeUnit.SECONDS));
      assertEquals(PasswordCheckPool.QUEUED_PER_THREAD, ran.get(), "every queued check ran");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
