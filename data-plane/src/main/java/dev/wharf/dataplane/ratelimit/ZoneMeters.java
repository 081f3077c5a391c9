package dev.wharf.dataplane.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The counters of one zone, made once when the zone is first configured so a request increments
 * them without a lookup: {@code wharf_rate_limit_requests_total{zone,outcome}} (allowed, delayed,
 * rejected) and {@code wharf_rate_limit_evictions_total{zone}} for a request zone, {@code
 * wharf_conn_limit_total{zone,outcome}} (allowed, rejected) for a connection zone.
 */
final class ZoneMeters {
  private final Counter allowed;
  private final Counter delayed;
  private final Counter rejected;
  private final Counter evictions;

  private ZoneMeters(Counter allowed, Counter delayed, Counter rejected, Counter evictions) {
    this.allowed = allowed;
    this.delayed = delayed;
    this.rejected = rejected;
    this.evictions = evictions;
  }

  static ZoneMeters forRequests(MeterRegistry registry, String zone) {
    return new ZoneMeters(
        requests(registry, zone, "allowed"),
        requests(registry, zone, "delayed"),
        requests(registry, zone, "rejected"),
        Counter.builder("wharf.rate_limit.evictions")
            .description("Keys evicted from a full limit_req zone, least recently used first")
            .tag("zone", zone)
            .register(registry));
  }

  static ZoneMeters forConnections(MeterRegistry registry, String zone) {
    return new ZoneMeters(
        connections(registry, zone, "allowed"),
        null,
        connections(registry, zone, "rejected"),
        null);
  }

  static ZoneMeters unregistered() {
    return forRequests(new SimpleMeterRegistry(), "unregistered");
  }

  private static Counter requests(MeterRegistry registry, String zone, String outcome) {
    return Counter.builder("wharf.rate_limit.requests")
        .description("Requests through a limit_req zone, by outcome")
        .tags("zone", zone, "outcome", outcome)
        .register(registry);
  }

  private static Counter connections(MeterRegistry registry, String zone, String outcome) {
    return Counter.builder("wharf.conn_limit")
        .description("Requests through a limit_conn zone, by outcome")
        .tags("zone", zone, "outcome", outcome)
        .register(registry);
  }

  void allowed() {
    allowed.increment();
  }

  void delayed() {
    if (delayed != null) {
      delayed.increment();
    }
  }

  void rejected() {
    rejected.increment();
  }

  void evicted() {
    if (evictions != null) {
      evictions.increment();
    }
  }

  /** Evictions counted so far. */
  double evictions() {
    return evictions == null ? 0 : evictions.count();
  }
}
