package dev.wharf.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.Set;
import java.util.stream.Collectors;

/** Small configs and statuses for store tests. */
final class TestConfigs {
  private TestConfigs() {}

  static Listener listener(String name, int port) {
    return Listener.newBuilder().setName(name).setAddress("127.0.0.1").setPort(port).build();
  }

  static Upstream upstream(String name, String address) {
    return Upstream.newBuilder()
        .setName(name)
        .addEndpoints(Endpoint.newBuilder().setAddress(address).setWeight(1))
        .build();
  }

  static Route proxy(String name, String pathPrefix, String upstream) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setPrefix(pathPrefix)))
        .setProxy(ProxyAction.newBuilder().setUpstream(upstream))
        .build();
  }

  static Route respond(String name, String pathPrefix, String body) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setPrefix(pathPrefix)))
        .setRespond(RespondAction.newBuilder().setStatus(200).setBody(body))
        .build();
  }

  /** A listener, one upstream and a route to it; {@code body} tells versions apart. */
  static Config small(String body) {
    return Config.newBuilder()
        .addListeners(listener("web", 8080))
        .addUpstreams(upstream("app", "10.0.0.1:80"))
        .addRoutes(proxy("app", "/app", "app"))
        .addRoutes(respond("hello", "/", body))
        .build();
  }

  static NodeStatus status(String nodeId, String replica) {
    return NodeStatus.newBuilder().setNodeId(nodeId).setReplica(replica).build();
  }

  /** Every route that proxies names an upstream the same config holds. */
  static void assertWhole(Config config) {
    Set<String> upstreams =
        config.getUpstreamsList().stream().map(Upstream::getName).collect(Collectors.toSet());
    for (Route route : config.getRoutesList()) {
      if (route.hasProxy()) {
        assertTrue(
            upstreams.contains(route.getProxy().getUpstream()),
            "route "
                + route.getName()
                + " refers to upstream "
                + route.getProxy().getUpstream()
                + " which this delivery lacks: half a commit: "
                + config);
      }
    }
  }
}
