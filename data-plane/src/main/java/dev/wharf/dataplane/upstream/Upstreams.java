package dev.wharf.dataplane.upstream;

import dev.wharf.dataplane.tls.UpstreamTlsClient;
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

  /** Compiles the upstreams of a config without TLS clients (every endpoint plain HTTP). */
  public static Map<String, CompiledUpstream> compile(
      Config config, EndpointRegistry registry, Supplier<RandomGenerator> random) {
    return compile(config, registry, random, Map.of());
  }

  /**
   * Runs on the config thread; forgets counters of endpoints the config no longer has.
   *
   * @param tls the TLS clients of the upstreams that have {@code tls}, by upstream name
   */
  public static Map<String, CompiledUpstream> compile(
      Config config,
      EndpointRegistry registry,
      Supplier<RandomGenerator> random,
      Map<String, UpstreamTlsClient> tls) {
    Map<String, CompiledUpstream> compiled = new HashMap<>();
    Set<String> keys = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Upstream u : config.getUpstreamsList()) {
      names.add(u.getName());
      compiled.put(
          u.getName(), CompiledUpstream.compile(u, registry, random, tls.get(u.getName())));
      for (Endpoint e : u.getEndpointsList()) {
        keys.add(EndpointRegistry.key(u.getName(), e.getAddress()));
      }
    }
    registry.retain(names, keys);
    return Map.copyOf(compiled);
  }
}
