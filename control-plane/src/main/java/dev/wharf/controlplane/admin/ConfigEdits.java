package dev.wharf.controlplane.admin;

import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The config that one object's put or delete makes of another. Pure: nothing is validated or
 * written here; the caller validates the whole result before it commits it.
 */
final class ConfigEdits {
  private ConfigEdits() {}

  /**
   * {@code config} with {@code object} in it: an object of the same kind and name is replaced where
   * it stands, a new one is added at the end. A route with {@code beforeRoute} is placed (a new
   * one) or moved (an existing one) before the route of that name.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT when {@code beforeRoute} names no other
   *     route, or is given for an object that is not a route
   */
  static Config put(Config config, ConfigObject object, String beforeRoute) {
    String name = ObjectKinds.nameOf(object);
    Config.Builder out = config.toBuilder();
    switch (object.getKindCase()) {
      case LISTENER -> {
        requireNoOrder(beforeRoute);
        out.clearListeners()
            .addAllListeners(
                replaced(config.getListenersList(), object.getListener(), l -> l.getName()));
      }
      case UPSTREAM -> {
        requireNoOrder(beforeRoute);
        out.clearUpstreams()
            .addAllUpstreams(
                replaced(config.getUpstreamsList(), object.getUpstream(), u -> u.getName()));
      }
      case ROUTE ->
          out.clearRoutes()
              .addAllRoutes(placed(config.getRoutesList(), object.getRoute(), beforeRoute));
      default ->
          throw AdminErrors.invalidField("object", "required (a listener, upstream or route)");
    }
    return out.build();
  }

  /**
   * {@code config} with every object of {@code document} in it, as {@link #put} puts one: an object
   * of the same kind and name is replaced where it stands, a new one is added at the end (new
   * routes in the document's order). Nothing the document does not name is removed.
   */
  static Config merge(Config config, Config document) {
    List<Listener> listeners = config.getListenersList();
    for (Listener l : document.getListenersList()) {
      listeners = replaced(listeners, l, Listener::getName);
    }
    List<Upstream> upstreams = config.getUpstreamsList();
    for (Upstream u : document.getUpstreamsList()) {
      upstreams = replaced(upstreams, u, Upstream::getName);
    }
    List<Route> routes = RouteOrder.merge(config.getRoutesList(), document.getRoutesList());
    return config.toBuilder()
        .clearListeners()
        .addAllListeners(listeners)
        .clearUpstreams()
        .addAllUpstreams(upstreams)
        .clearRoutes()
        .addAllRoutes(routes)
        .build();
  }

  /** {@code config} without the object of that kind and name (unchanged if there is none). */
  static Config delete(Config config, ObjectKind kind, String name) {
    Config.Builder out = config.toBuilder();
    switch (kind) {
      case OBJECT_KIND_LISTENER ->
          out.clearListeners()
              .addAllListeners(
                  config.getListenersList().stream()
                      .filter(l -> !l.getName().equals(name))
                      .toList());
      case OBJECT_KIND_UPSTREAM ->
          out.clearUpstreams()
              .addAllUpstreams(
                  config.getUpstreamsList().stream()
                      .filter(u -> !u.getName().equals(name))
                      .toList());
      case OBJECT_KIND_ROUTE ->
          out.clearRoutes()
              .addAllRoutes(
                  config.getRoutesList().stream().filter(r -> !r.getName().equals(name)).toList());
      default -> throw new IllegalArgumentException("kind: " + kind);
    }
    return out.build();
  }

  private static <T> List<T> replaced(List<T> objects, T object, Function<T, String> name) {
    List<T> out = new ArrayList<>(objects);
    String wanted = name.apply(object);
    for (int i = 0; i < out.size(); i++) {
      if (name.apply(out.get(i)).equals(wanted)) {
        out.set(i, object);
        return out;
      }
    }
    out.add(object);
    return out;
  }

  private static List<Route> placed(List<Route> routes, Route route, String beforeRoute) {
    if (beforeRoute.isEmpty()) {
      return replaced(routes, route, Route::getName);
    }
    if (beforeRoute.equals(route.getName())) {
      throw AdminErrors.invalidField(
          "before_route", "'" + beforeRoute + "' is the route being put (expected: another route)");
    }
    List<Route> out = new ArrayList<>(routes);
    out.removeIf(r -> r.getName().equals(route.getName()));
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).getName().equals(beforeRoute)) {
        out.add(i, route);
        return out;
      }
    }
    throw AdminErrors.invalidField("before_route", "no route is named '" + beforeRoute + "'");
  }

  private static void requireNoOrder(String beforeRoute) {
    if (!beforeRoute.isEmpty()) {
      throw AdminErrors.invalidField("before_route", "only routes have an order");
    }
  }
}
