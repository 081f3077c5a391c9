package dev.wharf.dataplane.upstream;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Compiles the upstreams of a snapshot, reusing the node's endpoint counters. */
public final class Upstreams {
  private Upstreams() {}

  /** Runs on the config thread; forgets counters of endpoints the config no longer has. */
  public static Map<String, CompiledUpstream> compile(
      Config config, EndpointRegistry registry, Supplier<RandomGenerator> random) {
    Map<String, CompiledUpstream> compiled = new HashMap<>();
    Set<String> keys = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Upstream u : config.getUpstreamsList()) {
      names.add(u.getName());
      compiled.put(u.getName(), CompiledUpstream.compile(u, registry, random));
      for (Endpoint e : u.getEndpointsList()) {
        keys.add(EndpointRegistry.key(u.getName(), e.getAddress()));
      }
    }
    registry.retain(names, keys);
    return Map.copyOf(compiled);
  }
}
