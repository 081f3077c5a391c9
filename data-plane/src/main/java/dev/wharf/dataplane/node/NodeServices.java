package dev.wharf.dataplane.node;

import dev.wharf.dataplane.metrics.ProxyMetrics;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * What every exchange, relay and check of a node shares, whatever the snapshot: the metrics and the
 * injected time and randomness. Features that need more (the upstream connector, the drainer) are
 * given it beside this record, so this package depends on nothing above it.
 *
 * @param ticker monotonic time for durations and timeouts
 * @param random per-thread random source (balancing, WebSocket masks)
 * @param files threads for file system calls (static routes), which must not run on an event loop
 * @param passwords threads for bcrypt checks, which may refuse a task when they are all busy
 */
public record NodeServices(
    ProxyMetrics metrics,
    Ticker ticker,
    Clock clock,
    Supplier<RandomGenerator> random,
    Executor files,
    Executor passwords) {

  /** A node's default file threads: {@code max(4, 2 x workers)} daemon threads. */
  public static ExecutorService newFileThreads(int workers) {
    return Executors.newFixedThreadPool(
        Math.max(4, 2 * workers), new DefaultThreadFactory("wharf-files", true));
  }
}
