package dev.wharf.dataplane.metrics;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Upstream;

/**
 * Registers, at zero, the series whose tag values a config makes known: each listener's connection
 * meters (and PROXY-protocol refusals, where it expects the header), each endpoint's response, byte
 * and error counters. So {@code rate()} and alerts see a series before its first event. Series are
 * never removed: a listener or endpoint a later config drops keeps its last values.
 */
public final class KnownSeries {
  private KnownSeries() {}

  /** Called by the node for each config it applies, off the event loops. */
  public static void register(ProxyMetrics metrics, Config config) {
    for (Listener l : config.getListenersList()) {
      metrics.listenerKnown(l.getName(), l.hasProxyProtocol());
    }
    for (Upstream u : config.getUpstreamsList()) {
      for (Endpoint e : u.getEndpointsList()) {
        metrics.endpointKnown(u.getName(), e.getAddress());
      }
    }
  }
}
