package dev.wharf.controlplane.server;

import dev.wharf.controlplane.store.ConfigStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The store as this replica sees it: {@code wharf_cp_store_up} is 1 while the store answers ({@link
 * ConfigStore#reachable()}), 0 while it does not. A replica keeps pushing the last version it has
 * while the store is down, so without this gauge an etcd outage is invisible until someone tries to
 * change the config. Read at scrape time; nothing is polled.
 */
final class StoreMetrics implements MeterBinder {
  private final ConfigStore store;

  StoreMetrics(ConfigStore store) {
    this.store = store;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("wharf_cp_store_up", store, s -> s.reachable() ? 1 : 0)
        .description(
            "1 while the config store (etcd) answers this replica, 0 while it cannot "
                + "be reached and the replica serves its last version")
        .strongReference(true)
        .register(registry);
  }
}
