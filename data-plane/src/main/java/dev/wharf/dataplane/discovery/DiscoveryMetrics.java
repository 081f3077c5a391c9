package dev.wharf.dataplane.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The client's meters: whether a stream to a control plane is up, how often it reconnected, and how
 * many snapshots it applied and refused (boot from disk included). Closing removes the gauge (it
 * reads the client), so a client built again registers its own; counters stay.
 */
final class DiscoveryMetrics implements DiscoveryEvents, AutoCloseable {
  private final MeterRegistry registry;
  private final Gauge connected;
  private final Counter reconnects;
  private final Counter applied;
  private final Counter refused;

  DiscoveryMetrics(MeterRegistry registry, BooleanSupplier connected) {
    this.registry = registry;
    this.connected =
        Gauge.builder("wharf.discovery.connected", connected, c -> c.getAsBoolean() ? 1 : 0)
            .description("1 while the stream to a control plane is open on a ready channel")
            .strongReference(true)
            .register(registry);
    reconnects =
        Counter.builder("wharf.discovery.reconnects")
            .description("Streams to a control plane that ended and were retried")
            .register(registry);
    applied = snapshots(registry, "applied");
    refused = snapshots(registry, "refused");
  }

  private static Counter snapshots(MeterRegistry registry, String result) {
    return Counter.builder("wharf.discovery.snapshots")
        .description("Snapshots applied or refused (NACKed)")
        .tag("result", result)
        .register(registry);
  }

  @Override
  public void close() {
    registry.remove(connected);
  }

  @Override
  public void applied(long version, String source) {
    applied.increment();
  }

  @Override
  public void refused(long version, String source, String reason) {
    refused.increment();
  }

  @Override
  public void streamLost(String target, StreamLoss loss) {
    Counter.builder("wharf.discovery.stream.losses")
        .description("Streams to a control plane lost, by reason (ended, refused, silent, moved)")
        .tag("reason", loss.tag())
        .register(registry)
        .increment();
  }

  @Override
  public void streamEnded(String target, String status, String next, Duration retryIn) {
    reconnects.increment();
  }
}
