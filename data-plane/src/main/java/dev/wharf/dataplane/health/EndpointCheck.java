package dev.wharf.dataplane.health;

import dev.wharf.config.Durations;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.upstream.EndpointStats;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.HealthCheck;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active checks of one endpoint: a {@link Probe} every interval (plus random jitter), {@code
 * unhealthy_threshold} failures in a row make the endpoint unhealthy and {@code healthy_threshold}
 * successes in a row healthy again. The verdict goes to the endpoint's {@link EndpointStats}, which
 * outlive this object and config swaps.
 *
 * <p>Confined to one event loop: {@link #start} and {@link #stop} may be called from any thread and
 * hop onto it.
 */
final class EndpointCheck {
  private static final Logger log = LoggerFactory.getLogger(EndpointCheck.class);

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  private final EventLoop loop;
  private final Class<? extends Channel> channelType;
  private final UpstreamEndpoint endpoint;
  private final HealthCheck check;
  private final ProxyMetrics metrics;
  private final Supplier<RandomGenerator> random;
  private final Runnable onVerdictChange;
  private final long intervalNanos;
  private final long jitterNanos;
  private final Duration timeout;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private int successes;
  private int failures;
  private ScheduledFuture<?> next;
  private Probe running;
  private boolean stopped;

  EndpointCheck(
      EventLoop loop,
      Class<? extends Channel> channelType,
      UpstreamEndpoint endpoint,
      HealthCheck check,
      ProxyMetrics metrics,
      Supplier<RandomGenerator> random,
      Runnable onVerdictChange) {
    this.loop = loop;
    this.channelType = channelType;
    this.endpoint = endpoint;
    this.check = check;
    this.metrics = metrics;
    this.random = random;
    this.onVerdictChange = onVerdictChange;
    this.intervalNanos =
        (check.hasInterval() ? Durations.toJava(check.getInterval()) : DEFAULT_INTERVAL).toNanos();
    this.jitterNanos = check.hasJitter() ? Durations.toJava(check.getJitter()).toNanos() : 0;
    this.timeout = check.hasTimeout() ? Durations.toJava(check.getTimeout()) : DEFAULT_TIMEOUT;
    this.healthyThreshold =
        check.getHealthyThreshold() > 0 ? check.getHealthyThreshold() : DEFAULT_HEALTHY_THRESHOLD;
    this.unhealthyThreshold =
        check.getUnhealthyThreshold() > 0
            ? check.getUnhealthyThreshold()
            : DEFAULT_UNHEALTHY_THRESHOLD;
  }

  UpstreamEndpoint endpoint() {
    return endpoint;
  }

  HealthCheck check() {
    return check;
  }

  /** The first check comes at a random point of the first interval, so nodes spread out. */
  void start() {
    loop.execute(() -> schedule(random.get().nextLong(intervalNanos)));
  }

  void stop() {
    loop.execute(
        () -> {
          stopped = true;
          if (next != null) {
            next.cancel(false);
          }
          if (running != null) {
            running.cancel();
          }
        });
  }

  private void schedule(long delayNanos) {
    if (!stopped) {
      next = loop.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void run() {
    if (stopped) {
      return;
    }
    running =
        Probe.start(loop, channelType, endpoint, check, timeout, random.get(), this::onResult);
  }

  private void onResult(Probe.Result result) {
    running = null;
    metrics.healthCheck(endpoint.upstream(), result.tag());
    EndpointStats stats = endpoint.stats();
    if (result == Probe.Result.SUCCESS) {
      failures = 0;
      successes++;
      if (!stats.healthy() && successes >= healthyThreshold && stats.healthy(true)) {
        log.info(
            "upstream {} endpoint {} is healthy again after {} successful checks",
            endpoint.upstream(),
            endpoint.address(),
            successes);
        onVerdictChange.run();
      }
    } else {
      successes = 0;
      failures++;
      if (stats.healthy() && failures >= unhealthyThreshold && stats.healthy(false)) {
        log.warn(
            "upstream {} endpoint {} is unhealthy after {} failed checks (last: {})",
            endpoint.upstream(),
            endpoint.address(),
            failures,
            result.tag());
        onVerdictChange.run();
      }
    }
    schedule(intervalNanos + (jitterNanos > 0 ? random.get().nextLong(jitterNanos + 1) : 0));
  }
}
