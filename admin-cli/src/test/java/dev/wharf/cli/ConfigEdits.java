package dev.wharf.cli;

import com.google.protobuf.Message;
import dev.wharf.cli.output.Kinds;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The fake's object-level edits of a config: list, put, delete by kind and name. */
final class ConfigEdits {
  private ConfigEdits() {}

  static List<ConfigObject> objects(Config config, ObjectKind kind) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER ->
          config.getListenersList().stream()
              .map(l -> ConfigObject.newBuilder().setListener(l).build())
              .toList();
      case OBJECT_KIND_UPSTREAM ->
          config.getUpstreamsList().stream()
              .map(u -> ConfigObject.newBuilder().setUpstream(u).build())
              .toList();
      case OBJECT_KIND_ROUTE ->
          config.getRoutesList().stream()
              .map(r -> ConfigObject.newBuilder().setRoute(r).build())
              .toList();
      default ->
          throw Status.INVALID_ARGUMENT.withDescription("kind: required").asRuntimeException();
    };
  }

  static boolean exists(Config config, ConfigObject object) {
    return objects(config, Kinds.of(object)).stream().anyMatch(o -> name(o).equals(name(object)));
  }

  /**
   * {@code config} with {@code object} replacing the one of its name, or added last; a route with
   * {@code before} (new or existing) is placed before the route of that name.
   */
  static Config put(Config config, ConfigObject object, String before) {
    Config.Builder next = config.toBuilder();
    boolean exists = exists(config, object);
    switch (object.getKindCase()) {
      case LISTENER ->
          next.clearListeners()
              .addAllListeners(put(config.getListenersList(), object.getListener(), exists, ""));
      case UPSTREAM ->
          next.clearUpstreams()
              .addAllUpstreams(put(config.getUpstreamsList(), object.getUpstream(), exists, ""));
      case ROUTE ->
          next.clearRoutes()
              .addAllRoutes(put(config.getRoutesList(), object.getRoute(), exists, before));
      default ->
          throw Status.INVALID_ARGUMENT.withDescription("object: empty").asRuntimeException();
    }
    return next.build();
  }

  /** {@code config} without the object; empty when there is none of that name. */
  static Optional<Config> delete(Config config, ObjectKind kind, String name) {
    Config.Builder next = config.toBuilder();
    switch (kind) {
      case OBJECT_KIND_LISTENER ->
          next.clearListeners().addAllListeners(without(config.getListenersList(), name));
      case OBJECT_KIND_UPSTREAM ->
          next.clearUpstreams().addAllUpstreams(without(config.getUpstreamsList(), name));
      default -> next.clearRoutes().addAllRoutes(without(config.getRoutesList(), name));
    }
    Config result = next.build();
    return result.equals(config) ? Optional.empty() : Optional.of(result);
  }

  static String name(Message m) {
    if (m instanceof ConfigObject o) {
      return switch (o.getKindCase()) {
        case LISTENER -> o.getListener().getName();
        case UPSTREAM -> o.getUpstream().getName();
        case ROUTE -> o.getRoute().getName();
        default -> "";
      };
    }
    return (String) m.getField(m.getDescriptorForType().findFieldByName("name"));
  }

  private static <T extends Message> List<T> put(
      List<T> list, T object, boolean exists, String before) {
    List<T> out = new ArrayList<>(list);
    if (exists && before.isEmpty()) {
      out.replaceAll(o -> name(o).equals(name(object)) ? object : o);
      return out;
    }
    out.removeIf(o -> name(o).equals(name(object)));
    if (before.isEmpty()) {
      out.add(object);
      return out;
    }
    for (int i = 0; i < out.size(); i++) {
      if (name(out.get(i)).equals(before) && out.get(i) instanceof Route) {
        out.add(i, object);
        return out;
      }
    }
    throw Status.INVALID_ARGUMENT
        .withDescription("before_route: no route named '" + before + "'")
        .asRuntimeException();
  }

  private static <T extends Message> List<T> without(List<T> list, String name) {
    return list.stream().filter(o -> !name(o).equals(name)).toList();
  }
}
