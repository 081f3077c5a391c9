package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * One upstream endpoint's meters: responses by status, body bytes each way, and its error counters,
 * every kind registered at zero with the endpoint. Thread-safe; recording allocates nothing once a
 * status was seen.
 */
final class EndpointMeters {
  private final StatusCounters statuses;
  private final Counter bodySent;
  private final Counter bodyReceived;
  private final Counter[] errors = new Counter[UpstreamErrorKind.values().length];

  EndpointMeters(MeterRegistry registry, Tags tags) {
    statuses =
        new StatusCounters(
            registry,
            "wharf.upstream.requests",
            "Responses received from upstream endpoints",
            tags);
    bodySent =
        Counter.builder("wharf.upstream.request.body")
            .description("Request body bytes sent to upstream endpoints, for completed responses")
            .baseUnit(BaseUnits.BYTES)
            .tags(tags)
            .register(registry);
    bodyReceived =
        Counter.builder("wharf.upstream.response.body")
            .description("Response body bytes received from upstream endpoints")
            .baseUnit(BaseUnits.BYTES)
            .tags(tags)
            .register(registry);
    for (UpstreamErrorKind kind : UpstreamErrorKind.values()) {
      errors[kind.ordinal()] =
          Counter.builder("wharf.upstream.errors")
              .description("Requests to upstream endpoints that failed, by kind")
              .tags(tags)
              .tag("kind", kind.tag())
              .register(registry);
    }
  }

  void responded(int status, long bytesSent, long bytesReceived) {
    statuses.increment(status);
    if (bytesSent > 0) {
      bodySent.increment(bytesSent);
    }
    if (bytesReceived > 0) {
      bodyReceived.increment(bytesReceived);
    }
  }

  Counter error(UpstreamErrorKind kind) {
    return errors[kind.ordinal()];
  }
}
