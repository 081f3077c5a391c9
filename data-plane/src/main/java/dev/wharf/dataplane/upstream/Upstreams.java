package dev.wharf.dataplane.upstream;

import dev.wharf.config.Addresses;
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
    return compile(config, null, Map.of(), registry, random, tls);
  }

  /**
   * Like {@link #compile(Config, EndpointRegistry, Supplier, Map)}, reusing what {@code previous}
   * (the config that serves, or null) compiled into {@code previousCompiled} for every upstream it
   * has word for word, with the same TLS client and only IP-literal endpoints: the same {@link
   * CompiledUpstream}, so its balancer's position, its outlier detector and its endpoints (whose
   * health checks, pools and counters are keyed to them) carry on as if nothing was applied. An
   * upstream with a host name is compiled again, so its name is resolved again, as on every apply
   * before.
   */
  public static Map<String, CompiledUpstream> compile(
      Config config,
      Config previous,
      Map<String, CompiledUpstream> previousCompiled,
      EndpointRegistry registry,
      Supplier<RandomGenerator> random,
      Map<String, UpstreamTlsClient> tls) {
    Map<String, Upstream> before = new HashMap<>();
    if (previous != null) {
      previous.getUpstreamsList().forEach(u -> before.putIfAbsent(u.getName(), u));
    }
    Map<String, CompiledUpstream> compiled = new HashMap<>();
    Set<String> keys = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Upstream u : config.getUpstreamsList()) {
      names.add(u.getName());
      UpstreamTlsClient client = tls.get(u.getName());
      CompiledUpstream kept =
          reusable(u, before.get(u.getName()), previousCompiled.get(u.getName()), client);
      compiled.put(
          u.getName(), kept != null ? kept : CompiledUpstream.compile(u, registry, random, client));
      for (Endpoint e : u.getEndpointsList()) {
        keys.add(EndpointRegistry.key(u.getName(), e.getAddress()));
      }
    }
    registry.retain(names, keys);
    return Map.copyOf(compiled);
  }

  /** {@code earlierCompiled} when it can serve {@code upstream} unchanged, else null. */
  private static CompiledUpstream reusable(
      Upstream upstream,
      Upstream earlier,
      CompiledUpstream earlierCompiled,
      UpstreamTlsClient tls) {
    if (earlier == null
        || earlierCompiled == null
        || !(earlier == upstream || earlier.equals(upstream))) {
      return null;
    }
    for (Endpoint e : upstream.getEndpointsList()) {
      if (!Addresses.isIpLiteral(Addresses.parseHostPort(e.getAddress()).host())) {
        return null;
      }
    }
    for (UpstreamEndpoint e : earlierCompiled.endpoints()) {
      if (e.tls() != tls) {
        return null;
      }
    }
    return earlierCompiled;
  }

  /** The address of every endpoint of {@code config}'s upstreams. */
  public static Set<String> endpointAddresses(Config config) {
    Set<String> addresses = new HashSet<>();
    for (Upstream u : config.getUpstreamsList()) {
      for (Endpoint e : u.getEndpointsList()) {
        addresses.add(e.getAddress());
      }
    }
    return addresses;
  }
}
