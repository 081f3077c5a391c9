package dev.wharf.dataplane.discovery;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@code wharf-config} thread of a {@link DiscoveryClient}: stream callbacks, applies,
 * snapshot writes and reconnects all run here, so they are handled in the order they arrived.
 *
 * <p>A class of its own because of how it stops: work handed over by a timer after close is dropped
 * quietly, and a stop lets queued work (an apply in progress) finish, but only for a bounded time,
 * so closing a node never hangs on a stuck apply.
 */
final class ConfigThread implements Executor {
  // Under the client's name: operators' log settings for the client keep covering this line.
  private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);

  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(daemon("wharf-config"));

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /** Runs {@code task} on the config thread and waits for it. */
  void run(Runnable task) throws InterruptedException, ExecutionException {
    executor.submit(task).get();
  }

  /**
   * After {@code delay}, hands {@code task} from {@code timers} to the config thread; dropped if
   * the thread stopped meanwhile (the client is closing).
   */
  ScheduledFuture<?> runAfter(ScheduledExecutorService timers, Duration delay, Runnable task) {
    return timers.schedule(
        () -> {
          try {
            executor.execute(task);
          } catch (RejectedExecutionException e) {
            // closing
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Takes no new work from now on; what is queued still runs. */
  void shutdown() {
    executor.shutdown();
  }

  /** Waits up to {@code millis} for queued work to finish, then interrupts it. */
  void awaitStopped(long millis) throws InterruptedException {
    if (!executor.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
      log.warn("the config thread did not finish within {} ms", millis);
      executor.shutdownNow();
    }
  }

  /** Daemon threads: a client nobody closed must not keep the JVM alive. */
  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
