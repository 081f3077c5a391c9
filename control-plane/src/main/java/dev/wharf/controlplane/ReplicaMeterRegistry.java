package dev.wharf.controlplane;

import dev.wharf.common.ProcessMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registry a replica's /metrics serves, with the process's meters bound ({@link
 * ProcessMeters}). Closing it (after the replica, when the replica stops) also stops what those
 * meters listen to: the JVM's GC notifications, whose listener would otherwise stay registered, and
 * keep the registry reachable, for as long as the process runs (a process that starts replicas
 * again, as the tests do, would gather one per replica). The node's registry does the same.
 */
final class ReplicaMeterRegistry extends PrometheusMeterRegistry implements AutoCloseable {
  private final ProcessMeters process;

  private ReplicaMeterRegistry(ProcessMeters process) {
    super(PrometheusConfig.DEFAULT);
    this.process = process;
  }

  /** A registry with the meters of the process whose program is {@code mainClass}. */
  static ReplicaMeterRegistry of(Class<?> mainClass) {
    ReplicaMeterRegistry registry = new ReplicaMeterRegistry(new ProcessMeters(mainClass));
    registry.process.bindTo(registry);
    return registry;
  }

  @Override
  public void close() {
    process.close();
    super.close();
  }
}
