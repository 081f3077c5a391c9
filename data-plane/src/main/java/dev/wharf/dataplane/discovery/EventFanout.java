package dev.wharf.dataplane.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery client's event listeners, told in order; a listener that throws is logged and does
 * not keep the others from hearing (the contract {@link DiscoveryEvents} promises).
 */
final class EventFanout {
  private static final Logger log = LoggerFactory.getLogger(EventFanout.class);

  private final List<DiscoveryEvents> listeners;

  EventFanout(List<DiscoveryEvents> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** {@code first} (when not null), then {@code others}. */
  static EventFanout of(DiscoveryEvents first, List<DiscoveryEvents> others) {
    List<DiscoveryEvents> all = new ArrayList<>();
    if (first != null) {
      all.add(first);
    }
    all.addAll(others);
    return new EventFanout(all);
  }

  void emit(Consumer<DiscoveryEvents> call) {
    for (DiscoveryEvents e : listeners) {
      try {
        call.accept(e);
      } catch (RuntimeException ex) {
        log.warn("a discovery event listener failed", ex);
      }
    }
  }
}
