package dev.wharf.dataplane.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The counters of one zone, registered once when a config with the zone is applied ({@link
 * #register}), so a request increments them without a lookup and a config that fails to apply
 * leaves no series behind: {@code wharf_rate_limit_requests_total{zone,outcome}} (allowed, delayed,
 * rejected) and {@code wharf_rate_limit_evictions_total{zone}} for a request zone, {@code
 * wharf_conn_limit_total{zone,outcome}} (allowed, rejected) for a connection zone.
 *
 * <p>{@link #register} runs on the config thread before the snapshot that uses the zone is
 * published; the counters are read from every event loop after that.
 */
final class ZoneMeters {
  private final MeterRegistry registry;
  private final String zone;
  private final boolean requests;
  private volatile Counter allowed;
  private volatile Counter delayed;
  private volatile Counter rejected;
  private volatile Counter evictions;

  private ZoneMeters(MeterRegistry registry, String zone, boolean requests) {
    this.registry = registry;
    this.zone = zone;
    this.requests = requests;
  }

  static ZoneMeters forRequests(MeterRegistry registry, String zone) {
    return new ZoneMeters(registry, zone, true);
  }

  static ZoneMeters forConnections(MeterRegistry registry, String zone) {
    return new ZoneMeters(registry, zone, false);
  }

  static ZoneMeters unregistered() {
    ZoneMeters meters = forRequests(new SimpleMeterRegistry(), "unregistered");
    meters.register();
    return meters;
  }

  /** Registers the counters; a second call does nothing. */
  synchronized void register() {
    if (allowed != null) {
      return;
    }
    if (requests) {
      delayed = requests("delayed");
      rejected = requests("rejected");
      evictions =
          Counter.builder("wharf.rate_limit.evictions")
              .description("Keys evicted from a full limit_req zone, least recently used first")
              .tag("zone", zone)
              .register(registry);
      allowed = requests("allowed");
    } else {
      rejected = connections("rejected");
      allowed = connections("allowed");
    }
  }

  private Counter requests(String outcome) {
    return Counter.builder("wharf.rate_limit.requests")
        .description("Requests through a limit_req zone, by outcome")
        .tags("zone", zone, "outcome", outcome)
        .register(registry);
  }

  private Counter connections(String outcome) {
    return Counter.builder("wharf.conn_limit")
        .description("Requests through a limit_conn zone, by outcome")
        .tags("zone", zone, "outcome", outcome)
        .register(registry);
  }

  void allowed() {
    allowed.increment();
  }

  void delayed() {
    Counter c = delayed;
    if (c != null) {
      c.increment();
    }
  }

  void rejected() {
    rejected.increment();
  }

  void evicted() {
    Counter c = evictions;
    if (c != null) {
      c.increment();
    }
  }

  /** Evictions counted so far. */
  double evictions() {
    Counter c = evictions;
    return c == null ? 0 : c.count();
  }
}
