package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one listener, protocol and route: requests by status, their latency, and the body
 * bytes they carried each way. Thread-safe; recording allocates nothing.
 */
final class RequestMeters {
  private final StatusCounters statuses;
  private final Timer duration;
  private final Counter bodyIn;
  private final Counter bodyOut;

  RequestMeters(MeterRegistry registry, Tags tags) {
    statuses = new StatusCounters(registry, "wharf.requests", "Requests completed", tags);
    duration =
        Timer.builder("wharf.request.duration")
            .description("Time from a request's first byte to its response's last byte")
            .tags(tags)
            .serviceLevelObjectives(ProxyMetrics.LATENCY_BUCKETS)
            .register(registry);
    bodyIn =
        Counter.builder("wharf.request.body")
            .description("Request body bytes received from clients")
            .baseUnit(BaseUnits.BYTES)
            .tags(tags)
            .register(registry);
    bodyOut =
        Counter.builder("wharf.response.body")
            .description("Response body bytes sent to clients (compressed, when they were)")
            .baseUnit(BaseUnits.BYTES)
            .tags(tags)
            .register(registry);
  }

  void record(int status, long durationNanos, long bytesIn, long bytesOut) {
    statuses.increment(status);
    duration.record(durationNanos, TimeUnit.NANOSECONDS);
    if (bytesIn > 0) {
      bodyIn.increment(bytesIn);
    }
    if (bytesOut > 0) {
      bodyOut.increment(bytesOut);
    }
  }
}
