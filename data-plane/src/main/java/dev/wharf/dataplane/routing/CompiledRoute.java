package dev.wharf.dataplane.routing;

import dev.wharf.proto.config.v1.Route;

/**
 * A route as the data plane runs it: the config it came from, and what was compiled from it
 * once per snapshot rather than once per request.
 *
 * @param index position in the snapshot's route list (regex routes are tried in this order)
 * @param config the route as configured
 */
public record CompiledRoute(int index, Route config) {
  public String name() {
    return config.getName();
  }
}
