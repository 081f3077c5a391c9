package dev.wharf.dataplane.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's {@link EndpointStats}, by upstream and endpoint address. Compiling a snapshot looks
 * up (or creates) the stats of each endpoint it names, so an endpoint that stays in the config
 * keeps its counters across any number of swaps.
 */
public final class EndpointRegistry {
  private final ConcurrentHashMap<String, EndpointStats> stats = new ConcurrentHashMap<>();

  EndpointStats statsFor(String upstream, String address) {
    return stats.computeIfAbsent(key(upstream, address), k -> new EndpointStats());
  }

  /**
   * Forgets endpoints a new snapshot no longer has. Exchanges still running on them hold their
   * own reference and finish counting on it.
   */
  void retain(Set<String> upstreamAndAddressKeys) {
    stats.keySet().retainAll(upstreamAndAddressKeys);
  }

  static String key(String upstream, String address) {
    return upstream + ' ' + address;
  }
}
