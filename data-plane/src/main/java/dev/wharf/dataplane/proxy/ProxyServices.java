package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * What every proxied request of a node shares, whatever the snapshot: the upstream connector
 * and its pools, the metrics, the drainer, and the injected time and randomness.
 *
 * @param ticker monotonic time for durations and timeouts
 * @param random per-thread random source (balancing, WebSocket masks)
 * @param drainer applies drain policies to the node's WebSockets
 * @param files threads for file system calls (static routes), which must not run on an event
 *     loop
 */
public record ProxyServices(UpstreamConnector connector, ProxyMetrics metrics, Ticker ticker,
    Clock clock, Supplier<RandomGenerator> random, ConnectionDrainer drainer, Executor files) {}
