package dev.wharf.dataplane.drain;

import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import java.util.concurrent.ThreadLocalRandom;

/** Drain views as a node builds them: from the snapshot compiled out of a config. */
final class CompiledViews {
  private CompiledViews() {}

  static DrainView of(Config config, DrainView.Health health) {
    return RoutingTable.compile(
            config, Upstreams.compile(config, new EndpointRegistry(), ThreadLocalRandom::current))
        .drainView(health);
  }
}
