package dev.wharf.dataplane;

import dev.wharf.common.ProcessMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registry a node's /metrics serves, with the process's meters bound ({@link ProcessMeters}).
 * Closing it (after the node, when the node stops) also stops what those meters listen to: the
 * JVM's GC notifications, whose listener would otherwise stay registered, and keep the registry
 * reachable, for as long as the process runs (a process that starts nodes again, as standalone and
 * the tests do, would gather one per node).
 */
public final class NodeMeterRegistry extends PrometheusMeterRegistry implements AutoCloseable {
  private final ProcessMeters process;

  private NodeMeterRegistry(ProcessMeters process) {
    super(PrometheusConfig.DEFAULT);
    this.process = process;
  }

  /** A registry with the meters of the process whose program is {@code mainClass}. */
  static NodeMeterRegistry of(Class<?> mainClass) {
    NodeMeterRegistry registry = new NodeMeterRegistry(new ProcessMeters(mainClass));
    registry.process.bindTo(registry);
    return registry;
  }

  @Override
  public void close() {
    process.close();
    super.close();
  }
}
