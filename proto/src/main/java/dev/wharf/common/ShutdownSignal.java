package dev.wharf.common;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM and SIGINT for a process whose main thread owns the shutdown. The JVM runs shutdown hooks
 * and exits as soon as they return, so the hook installed here releases {@link #await()} and then
 * waits (bounded) until the main thread calls {@link #done()} after closing everything in its own
 * order.
 */
public final class ShutdownSignal {
  private final CountDownLatch signalled = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);

  private ShutdownSignal() {}

  /** Installs the hook; {@code grace} bounds how long the JVM waits for {@link #done()}. */
  public static ShutdownSignal install(Duration grace) {
    ShutdownSignal s = new ShutdownSignal();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  s.signalled.countDown();
                  try {
                    s.done.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "wharf-shutdown"));
    return s;
  }

  /** Blocks until the process is asked to stop. */
  public void await() throws InterruptedException {
    signalled.await();
  }

  /** Starts the shutdown from inside the process, as the signal would (a drain request). */
  public void trigger() {
    signalled.countDown();
  }

  /** Everything is closed: the JVM may exit. Call it in a {@code finally}. */
  public void done() {
    done.countDown();
  }
}
