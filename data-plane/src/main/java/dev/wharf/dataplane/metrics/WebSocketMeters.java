package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket meters of every route: how many are open now, how many were opened, how they closed
 * (code and closer), how long they lived, and how many messages they carried.
 *
 * <p>Meters are kept per route name for the life of the process and never removed, so a WebSocket
 * opened under one config and closed under the next is counted down on the same gauge. Thread-safe
 * and allocation-free per call once a route is known, except for boxing a close code (a close
 * happens once per WebSocket).
 */
final class WebSocketMeters {
  static final String FROM_CLIENT = "from_client";
  static final String FROM_UPSTREAM = "from_upstream";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();

  WebSocketMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void opened(String route) {
    Route r = route(route);
    r.active.incrementAndGet();
    r.opened.increment();
  }

  void closed(String route, int code, String closedBy, long lifetimeNanos) {
    Route r = route(route);
    r.active.decrementAndGet();
    r.close(code, closedBy).increment();
    r.lifetime.record(lifetimeNanos, TimeUnit.NANOSECONDS);
  }

  WebSocketMessageCounters messages(String route) {
    return route(route).messages;
  }

  private Route route(String name) {
    Route r = routes.get(name);
    return r != null ? r : routes.computeIfAbsent(name, Route::new);
  }

  /** One route's meters; the close counters appear as codes and closers are seen. */
  private final class Route {
    final String name;
    final AtomicLong active = new AtomicLong();
    final Counter opened;
    final Timer lifetime;
    final WebSocketMessageCounters messages;

    /** closedBy -> code -> counter. */
    final ConcurrentHashMap<String, ConcurrentHashMap<Integer, Counter>> closes =
        new ConcurrentHashMap<>();

    Route(String name) {
      this.name = name;
      Gauge.builder("wharf.websockets.active", active, AtomicLong::get)
          .description("WebSockets open now")
          .tag("route", name)
          .strongReference(true)
          .register(registry);
      opened =
          Counter.builder("wharf.websockets")
              .description("WebSockets opened (upgrade completed)")
              .tag("route", name)
              .register(registry);
      lifetime =
          Timer.builder("wharf.websocket.duration")
              .description("How long WebSockets stayed open")
              .tag("route", name)
              .serviceLevelObjectives(ProxyMetrics.LIFETIME_BUCKETS)
              .register(registry);
      messages =
          new WebSocketMessageCounters(
              messages(FROM_CLIENT),
              messages(FROM_UPSTREAM),
              dropped(FROM_CLIENT),
              dropped(FROM_UPSTREAM));
    }

    private Counter messages(String direction) {
      return Counter.builder("wharf.websocket.messages")
          .description("WebSocket messages relayed, counted as each one passes")
          .tags("route", name, "direction", direction)
          .register(registry);
    }

    private Counter dropped(String direction) {
      return Counter.builder("wharf.websocket.messages.dropped")
          .description(
              "WebSocket messages read but not relayed: the other side's connection was lost "
                  + "or already had its close frame")
          .tags("route", name, "direction", direction)
          .register(registry);
    }

    Counter close(int code, String closedBy) {
      ConcurrentHashMap<Integer, Counter> byCode = closes.get(closedBy);
      if (byCode == null) {
        byCode = closes.computeIfAbsent(closedBy, c -> new ConcurrentHashMap<>());
      }
      Counter counter = byCode.get(code);
      if (counter == null) {
        counter =
            byCode.computeIfAbsent(
                code,
                c ->
                    Counter.builder("wharf.websocket.closes")
                        .description(
                            "WebSocket closes by close code and by who closed "
                                + "(1006: the connection ended without a close frame; 1014 closed_by upstream: "
                                + "the endpoint's connection was lost and the client got 1014)")
                        .tags("route", name, "code", Integer.toString(c), "closed_by", closedBy)
                        .register(registry));
      }
      return counter;
    }
  }
}
