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
 * <p>{@link #update} runs on the thread that applies configs (off the event loops); the zones it
 * returns are then used from every event loop.
 */
public final class RateLimitZones {
  /** The zones of one config, by name. */
  public record Compiled(
      Map<String, RequestZone> requests,
      Map<String, ConnectionZone> connections,
      Map<String, String> keys) {
    public Compiled {
      requests = Map.copyOf(requests);
      connections = Map.copyOf(connections);
      keys = Map.copyOf(keys);
    }

    public static final Compiled EMPTY = new Compiled(Map.of(), Map.of(), Map.of());
  }

  private final MeterRegistry registry;
  private Compiled current = Compiled.EMPTY;

  public RateLimitZones(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The zones of a validated config, reusing the state of those that did not change. */
  public synchronized Compiled update(List<RateLimitZone> zones) {
    Map<String, RequestZone> requests = new HashMap<>();
    Map<String, ConnectionZone> connections = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    for (RateLimitZone z : zones) {
      long bytes = Rates.zoneBytes(z);
      keys.put(z.getName(), z.getKey());
      if (z.getKind() == RateLimitZone.Kind.CONNECTIONS) {
        ConnectionZone.Identity id = new ConnectionZone.Identity(z.getName(), z.getKey());
        ConnectionZone old = current.connections().get(z.getName());
        ConnectionZone zone =
            old != null && old.identity().equals(id)
                ? old
                : new ConnectionZone(id, bytes, ZoneMeters.forConnections(registry, z.getName()));
        zone.resize(bytes);
        connections.put(z.getName(), zone);
      } else {
        long rate = Rates.milliRequestsPerSecond(z.getRate()).orElseThrow();
        RequestZone.Identity id = new RequestZone.Identity(z.getName(), z.getKey(), rate);
        RequestZone old = current.requests().get(z.getName());
        RequestZone zone =
            old != null && old.identity().equals(id)
                ? old
                : new RequestZone(id, bytes, ZoneMeters.forRequests(registry, z.getName()));
        zone.resize(bytes);
        requests.put(z.getName(), zone);
      }
    }
    current = new Compiled(requests, connections, keys);
    return current;
  }
}
