package dev.wharf.controlplane.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A config as the stores keep it: one message per object, keyed {@code listeners/<name>}, {@code
 * upstreams/<name>} or {@code routes/<name>} (the etcd key below {@code <prefix>/v1/config/}), and
 * the route order. Two configs with the same objects and route order are equal whatever order their
 * listeners and upstreams were written in: that is what makes a commit a no-op.
 */
record ConfigObjects(SortedMap<String, Message> objects, List<String> routeOrder) {
  static final String LISTENERS = "listeners/";
  static final String UPSTREAMS = "upstreams/";
  static final String ROUTES = "routes/";

  /** {@code routeOrder} names every route in {@code objects} once, and nothing else. */
  ConfigObjects {
    objects = Collections.unmodifiableSortedMap(new TreeMap<>(objects));
    routeOrder = List.copyOf(routeOrder);
  }

  /**
   * The objects of {@code config}.
   *
   * @throws IllegalArgumentException if an object has no name, or two of a kind share one: the
   *     store keys objects by name, and callers validate before they commit
   */
  static ConfigObjects of(Config config) {
    SortedMap<String, Message> objects = new TreeMap<>();
    addAll(objects, LISTENERS, config.getListenersList(), Listener::getName);
    addAll(objects, UPSTREAMS, config.getUpstreamsList(), Upstream::getName);
    addAll(objects, ROUTES, config.getRoutesList(), Route::getName);
    List<String> routeOrder = config.getRoutesList().stream().map(Route::getName).toList();
    return new ConfigObjects(objects, routeOrder);
  }

  private static <T extends Message> void addAll(
      Map<String, Message> objects, String kind, List<T> messages, Function<T, String> name) {
    for (int i = 0; i < messages.size(); i++) {
      T message = messages.get(i);
      String objectName = name.apply(message);
      String field = kind.substring(0, kind.length() - 1) + "[" + i + "].name";
      if (objectName.isEmpty()) {
        throw new IllegalArgumentException(field + ": empty (the store keys objects by name)");
      }
      if (objects.putIfAbsent(kind + objectName, message) != null) {
        throw new IllegalArgumentException(
            field + ": '" + objectName + "' is used twice (the store keys objects by name)");
      }
    }
  }

  /**
   * Parses stored values, keyed as in {@link #objects()}. Keys of kinds this version does not know
   * are skipped, so an older replica can read what a newer one wrote.
   *
   * @throws StoreException naming the first value that does not parse
   */
  static ConfigObjects decode(Map<String, ByteString> values, List<String> routeOrder)
      throws StoreException {
    SortedMap<String, Message> objects = new TreeMap<>();
    for (Map.Entry<String, ByteString> entry : values.entrySet()) {
      Parser<? extends Message> parser = parserFor(entry.getKey());
      if (parser == null) {
        continue;
      }
      try {
        objects.put(entry.getKey(), parser.parseFrom(entry.getValue()));
      } catch (InvalidProtocolBufferException e) {
        throw new StoreException(
            "config object " + entry.getKey() + " does not parse: " + e.getMessage(), e);
      }
    }
    return new ConfigObjects(objects, effectiveOrder(objects, routeOrder));
  }

  /** {@code routeOrder} without names that have no route, then unlisted routes by name. */
  private static List<String> effectiveOrder(
      SortedMap<String, Message> objects, List<String> routeOrder) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : routeOrder) {
      if (objects.containsKey(ROUTES + name)) {
        names.add(name);
      }
    }
    for (String key : objects.keySet()) {
      if (key.startsWith(ROUTES)) {
        names.add(key.substring(ROUTES.length()));
      }
    }
    return List.copyOf(names);
  }

  /** The parser of the object kind {@code key} belongs to; null for a kind this version lacks. */
  static Parser<? extends Message> parserFor(String key) {
    if (key.startsWith(LISTENERS)) {
      return Listener.parser();
    } else if (key.startsWith(UPSTREAMS)) {
      return Upstream.parser();
    } else if (key.startsWith(ROUTES)) {
      return Route.parser();
    }
    return null;
  }

  /** The config: listeners and upstreams sorted by name, routes in {@link #routeOrder()}. */
  Config toConfig() {
    Config.Builder config = Config.newBuilder();
    for (Map.Entry<String, Message> entry : objects.entrySet()) {
      if (entry.getKey().startsWith(LISTENERS)) {
        config.addListeners((Listener) entry.getValue());
      } else if (entry.getKey().startsWith(UPSTREAMS)) {
        config.addUpstreams((Upstream) entry.getValue());
      }
    }
    for (String name : routeOrder) {
      config.addRoutes((Route) objects.get(ROUTES + name));
    }
    return config.build();
  }
}
