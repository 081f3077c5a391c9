package dev.wharf.dataplane.upstream;

import dev.wharf.config.Durations;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.proto.config.v1.OutlierDetection;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive ejection of one upstream, as one snapshot configures it: {@code consecutiveFailures}
 * connect failures, 5xx answers or timeouts in a row eject an endpoint for {@code baseEjectionTime
 * * 2^(ejections - 1)}, at most {@code maxEjectionTime}; the back-off starts over once an endpoint
 * has stayed in for {@code maxEjectionTime}. At most {@code maxEjectionPercent} of the endpoints
 * (rounded down) are out at once. With a {@code failureWindow} (nginx {@code fail_timeout}) the
 * failures are counted within the window rather than in a row.
 *
 * <p>Threading: outcomes arrive from every event loop. Counting is lock-free; the rare decision to
 * eject locks the upstream's {@link UpstreamState}, which outlives the snapshot.
 */
final class OutlierDetector {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);
  static final Duration DEFAULT_MAX_EJECTION = Duration.ofMinutes(5);
  static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

  private final String upstream;
  private final List<UpstreamEndpoint> endpoints;
  private final UpstreamState lock;
  private final int consecutiveFailures;
  private final long baseNanos;
  private final long maxNanos;
  private final int maxEjected;
  private final long windowNanos;
  private final boolean counts5xx;

  private OutlierDetector(
      String upstream, List<UpstreamEndpoint> endpoints, UpstreamState lock, OutlierDetection o) {
    this.upstream = upstream;
    this.endpoints = endpoints;
    this.lock = lock;
    this.consecutiveFailures =
        o.getConsecutiveFailures() > 0 ? o.getConsecutiveFailures() : DEFAULT_CONSECUTIVE_FAILURES;
    this.baseNanos =
        (o.hasBaseEjectionTime()
                ? Durations.toJava(o.getBaseEjectionTime())
                : DEFAULT_BASE_EJECTION)
            .toNanos();
    this.maxNanos =
        Math.max(
            baseNanos,
            (o.hasMaxEjectionTime()
                    ? Durations.toJava(o.getMaxEjectionTime())
                    : DEFAULT_MAX_EJECTION)
                .toNanos());
    int percent =
        o.getMaxEjectionPercent() > 0 ? o.getMaxEjectionPercent() : DEFAULT_MAX_EJECTION_PERCENT;
    this.maxEjected = endpoints.size() * percent / 100;
    this.windowNanos = o.hasFailureWindow() ? Durations.toJava(o.getFailureWindow()).toNanos() : 0;
    this.counts5xx = !o.hasCount5XxResponses() || o.getCount5XxResponses();
  }

  /** Whether 5xx responses count as failures ({@code count_5xx_responses}, default true). */
  boolean counts5xx() {
    return counts5xx;
  }

  /** The detector of a snapshot's upstream, or null when it has no {@code outlier_detection}. */
  static OutlierDetector of(
      String upstream,
      List<UpstreamEndpoint> endpoints,
      UpstreamState lock,
      boolean configured,
      OutlierDetection settings) {
    return configured ? new OutlierDetector(upstream, endpoints, lock, settings) : null;
  }

  /** A response below 500 came back from {@code endpoint}. */
  void succeeded(UpstreamEndpoint endpoint) {
    endpoint.stats().succeeded();
  }

  /** A connect failure, 5xx, reset or timeout on {@code endpoint} at ticker time {@code now}. */
  void failed(UpstreamEndpoint endpoint, long now, ProxyMetrics metrics) {
    EndpointStats stats = endpoint.stats();
    if (stats.failed(now, windowNanos) < consecutiveFailures) {
      return;
    }
    long duration;
    synchronized (lock) {
      if (stats.ejected(now)) {
        return; // failures of requests started before the ejection
      }
      int out = 0;
      for (UpstreamEndpoint e : endpoints) {
        out += e.stats().ejected(now) ? 1 : 0;
      }
      if (out >= maxEjected) {
        return; // keep counting: it is ejected as soon as another one comes back
      }
      if (stats.ejections > 0 && now - stats.lastEjectionEnd >= maxNanos) {
        stats.ejections = 0; // it behaved for a long while: start the back-off over
      }
      stats.ejections++;
      int shift = Math.min(stats.ejections - 1, 30);
      duration =
          baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
      stats.eject(now + duration);
      stats.lastEjectionEnd = now + duration;
    }
    metrics.endpointEjected(upstream, endpoint.address());
    log.warn(
        "upstream {} endpoint {} ejected for {} after {} consecutive failures",
        upstream,
        endpoint.address(),
        Duration.ofNanos(duration),
        consecutiveFailures);
  }
}
