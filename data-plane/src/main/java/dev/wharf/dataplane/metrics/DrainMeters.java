package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * How the node's drains progress: connections still to be closed, closes made by reason, and
 * whether the whole node is draining. Every series exists from the start (closes at zero for each
 * reason), so alerts and {@code rate()} work before the first drain.
 */
public final class DrainMeters {
  private final Map<String, Counter> closes;
  private final AtomicBoolean nodeDraining = new AtomicBoolean();

  /**
   * @param reasons every value the {@code reason} tag can take
   * @param pending connections the node has decided to close and not closed yet
   */
  public DrainMeters(MeterRegistry registry, Iterable<String> reasons, IntSupplier pending) {
    HashMap<String, Counter> byReason = new HashMap<>();
    for (String reason : reasons) {
      byReason.put(
          reason,
          Counter.builder("wharf.drain.closes")
              .description("Connections the node closed gracefully because of a drain, by reason")
              .tag("reason", reason)
              .register(registry));
    }
    this.closes = Map.copyOf(byReason);
    Gauge.builder("wharf.drain.pending", pending, IntSupplier::getAsInt)
        .description("Connections the node will close because of a drain and has not closed yet")
        .strongReference(true)
        .register(registry);
    Gauge.builder("wharf.node.draining", nodeDraining, d -> d.get() ? 1 : 0)
        .description("1 while the node drains (SIGTERM or wharfctl drain), else 0")
        .strongReference(true)
        .register(registry);
  }

  /** {@code count} connections were told to go away because of {@code reason}. */
  public void closed(String reason, int count) {
    Counter c = closes.get(reason);
    if (c == null) {
      throw new IllegalArgumentException("unknown drain reason: " + reason);
    }
    c.increment(count);
  }

  public void nodeDraining() {
    nodeDraining.set(true);
  }
}
