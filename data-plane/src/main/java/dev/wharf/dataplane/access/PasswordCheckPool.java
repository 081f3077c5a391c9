package dev.wharf.dataplane.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where a node's bcrypt checks run: threads and a short queue of their own. bcrypt is slow on
 * purpose (60 ms at cost 10), so on the file threads a flood of wrong passwords for a known user
 * would delay every static file behind it, and an unbounded queue would hold the flood in memory.
 * Here at most {@link #threads} checks run, using at most half the node's cores so the event loops
 * keep theirs, and {@link #QUEUED_PER_THREAD} per thread wait; a check beyond that is refused at
 * once ({@link RejectedExecutionException}), which {@link AccessControl} answers {@code 503} (nginx
 * runs bcrypt on its worker instead, stalling every connection of that worker).
 *
 * <p>Meters: {@code wharf_password_checks_refused_total} counts the refused checks, {@code
 * wharf_password_checks_queued} is how many wait.
 */
public final class PasswordCheckPool {
  /** Checks that may wait per thread: about 2 s of cost-10 hashes, 30 ms of cost-4 ones. */
  static final int QUEUED_PER_THREAD = 32;

  private PasswordCheckPool() {}

  /** The threads bcrypt may use on a node with {@code workers} event loops. */
  static int threads(int workers) {
    return Math.max(1, workers / 2);
  }

  /** A new pool for a node with {@code workers} event loops; shut it down with the node. */
  public static ExecutorService create(int workers, MeterRegistry registry) {
    Counter refused =
        Counter.builder("wharf.password_checks.refused")
            .description(
                "bcrypt checks refused (503) because every password thread and slot was busy")
            .register(registry);
    int threads = threads(workers);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(threads * QUEUED_PER_THREAD),
            new DefaultThreadFactory("wharf-passwords", true),
            (task, executor) -> {
              refused.increment();
              throw new RejectedExecutionException("every password check slot is taken");
            });
    Gauge.builder("wharf.password_checks.queued", pool, p -> p.getQueue().size())
        .description("bcrypt checks waiting for a password thread")
        .register(registry);
    return pool;
  }
}
