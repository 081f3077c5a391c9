package dev.wharf.dataplane.ratelimit;

import dev.wharf.config.Rates;
import dev.wharf.proto.config.v1.RateLimitZone;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's rate-limit zones, one home for their state: a config swap that keeps a zone (same
 * name, key and rate, and kind) keeps its buckets or counts, so a client cannot reset its limit by
 * waiting for a config change; a changed or new zone starts empty. Limits are per node, as nginx's
 * are per server.
 *
 * <p>{@link #prepare} and {@link #commit} run on the thread that applies configs (off the event
 * loops); the zones they return are then used from every event loop.
 */
public final class RateLimitZones {
  /** The zones of one config, by name. */
  public record Compiled(
      Map<String, RequestZone> requests,
      Map<String, ConnectionZone> connections,
      Map<String, String> keys,
      Map<String, Long> sizes) {
    public Compiled {
      requests = Map.copyOf(requests);
      connections = Map.copyOf(connections);
      keys = Map.copyOf(keys);
      sizes = Map.copyOf(sizes);
    }

    public static final Compiled EMPTY = new Compiled(Map.of(), Map.of(), Map.of(), Map.of());
  }

  private final MeterRegistry registry;
  private Compiled current = Compiled.EMPTY;

  public RateLimitZones(MeterRegistry registry) {
    this.registry = registry;
  }

  /** {@link #prepare} and {@link #commit} at once: for tests and tables nobody serves. */
  public synchronized Compiled update(List<RateLimitZone> zones) {
    Compiled compiled = prepare(zones);
    commit(compiled);
    return compiled;
  }

  /**
   * The zones of a validated config, reusing the state of those that did not change, without
   * changing anything the node serves: a new zone's meters are not registered and a kept zone keeps
   * its size until {@link #commit}, so a config that then fails to apply (a listener that cannot
   * bind) leaves no trace, and the zones stay those of the config still served.
   */
  public synchronized Compiled prepare(List<RateLimitZone> zones) {
    Map<String, RequestZone> requests = new HashMap<>();
    Map<String, ConnectionZone> connections = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (RateLimitZone z : zones) {
      long bytes = Rates.zoneBytes(z);
      keys.put(z.getName(), z.getKey());
      sizes.put(z.getName(), bytes);
      if (z.getKind() == RateLimitZone.Kind.CONNECTIONS) {
        ConnectionZone.Identity id = new ConnectionZone.Identity(z.getName(), z.getKey());
        ConnectionZone old = current.connections().get(z.getName());
        connections.put(
            z.getName(),
            old != null && old.identity().equals(id)
                ? old
                : new ConnectionZone(id, bytes, ZoneMeters.forConnections(registry, z.getName())));
      } else {
        long rate = Rates.milliRequestsPerSecond(z.getRate()).orElseThrow();
        RequestZone.Identity id = new RequestZone.Identity(z.getName(), z.getKey(), rate);
        RequestZone old = current.requests().get(z.getName());
        requests.put(
            z.getName(),
            old != null && old.identity().equals(id)
                ? old
                : new RequestZone(id, bytes, ZoneMeters.forRequests(registry, z.getName())));
      }
    }
    return new Compiled(requests, connections, keys, sizes);
  }

  /**
   * {@code compiled} (from {@link #prepare}) is about to be served: its new zones' meters are
   * registered, kept zones take their new sizes, and the next {@link #prepare} starts from it. Call
   * it once nothing can fail any more, before the snapshot that uses the zones is swapped in.
   */
  public synchronized void commit(Compiled compiled) {
    compiled
        .requests()
        .forEach(
            (name, zone) -> {
              zone.meters().register();
              zone.resize(compiled.sizes().get(name));
            });
    compiled
        .connections()
        .forEach(
            (name, zone) -> {
              zone.meters().register();
              zone.resize(compiled.sizes().get(name));
            });
    current = compiled;
  }
}
