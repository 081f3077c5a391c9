package dev.wharf.controlplane.admin;

import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The three kinds of config object, and finding them in a {@link Config} by kind and name. */
final class ObjectKinds {
  private ObjectKinds() {}

  /** {@code listener}, {@code upstream}, {@code route}. */
  static String noun(ObjectKind kind) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER -> "listener";
      case OBJECT_KIND_UPSTREAM -> "upstream";
      case OBJECT_KIND_ROUTE -> "route";
      default -> "object";
    };
  }

  /** The kind of the object set in {@code o}; UNSPECIFIED when none is. */
  static ObjectKind kindOf(ConfigObject o) {
    return switch (o.getKindCase()) {
      case LISTENER -> ObjectKind.OBJECT_KIND_LISTENER;
      case UPSTREAM -> ObjectKind.OBJECT_KIND_UPSTREAM;
      case ROUTE -> ObjectKind.OBJECT_KIND_ROUTE;
      default -> ObjectKind.OBJECT_KIND_UNSPECIFIED;
    };
  }

  static String nameOf(ConfigObject o) {
    return switch (o.getKindCase()) {
      case LISTENER -> o.getListener().getName();
      case UPSTREAM -> o.getUpstream().getName();
      case ROUTE -> o.getRoute().getName();
      default -> "";
    };
  }

  /** The path of an object's name in a request: {@code object.route.name}. */
  static String namePath(ObjectKind kind) {
    return "object." + noun(kind) + ".name";
  }

  static Optional<ConfigObject> find(Config config, ObjectKind kind, String name) {
    return all(config, kind).filter(o -> nameOf(o).equals(name)).findFirst();
  }

  /** Every object of a kind: routes in document order, listeners and upstreams by name. */
  static List<ConfigObject> list(Config config, ObjectKind kind) {
    Stream<ConfigObject> objects = all(config, kind);
    if (kind != ObjectKind.OBJECT_KIND_ROUTE) {
      objects = objects.sorted(Comparator.comparing(ObjectKinds::nameOf));
    }
    return objects.toList();
  }

  private static Stream<ConfigObject> all(Config config, ObjectKind kind) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER -> config.getListenersList().stream().map(ObjectKinds::of);
      case OBJECT_KIND_UPSTREAM -> config.getUpstreamsList().stream().map(ObjectKinds::of);
      case OBJECT_KIND_ROUTE -> config.getRoutesList().stream().map(ObjectKinds::of);
      default -> Stream.empty();
    };
  }

  static ConfigObject of(Listener l) {
    return ConfigObject.newBuilder().setListener(l).build();
  }

  static ConfigObject of(Upstream u) {
    return ConfigObject.newBuilder().setUpstream(u).build();
  }

  static ConfigObject of(Route r) {
    return ConfigObject.newBuilder().setRoute(r).build();
  }
}
