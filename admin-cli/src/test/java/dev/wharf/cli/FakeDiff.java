package dev.wharf.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.FieldChange;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.ObjectChange.Action;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The fake Admin service's diff, object by object and field by field, with field paths as the
 * validator writes them ({@code endpoints[1].weight}) and values as YAML shows scalars: what the
 * contract says the real service answers.
 */
final class FakeDiff {
  private FakeDiff() {}

  static List<ObjectChange> between(Config before, Config after) {
    List<ObjectChange> changes = new ArrayList<>();
    kind(
        ObjectKind.OBJECT_KIND_LISTENER,
        before.getListenersList(),
        after.getListenersList(),
        Listener::getName,
        l -> Config.newBuilder().addListeners(l).build(),
        changes);
    kind(
        ObjectKind.OBJECT_KIND_UPSTREAM,
        before.getUpstreamsList(),
        after.getUpstreamsList(),
        Upstream::getName,
        u -> Config.newBuilder().addUpstreams(u).build(),
        changes);
    kind(
        ObjectKind.OBJECT_KIND_ROUTE,
        before.getRoutesList(),
        after.getRoutesList(),
        Route::getName,
        r -> Config.newBuilder().addRoutes(r).build(),
        changes);
    positions(before.getRoutesList(), after.getRoutesList(), changes);
    return changes;
  }

  /**
   * A route that changed place among the routes both configs hold is an update of {@code
   * (position)}, old index to new; routes only shifted by an insertion or a deletion, or by another
   * route's move, are not (the moved ones are those outside the longest common order).
   */
  private static void positions(List<Route> before, List<Route> after, List<ObjectChange> out) {
    List<String> a = before.stream().map(Route::getName).toList();
    List<String> b = after.stream().map(Route::getName).toList();
    List<String> common = a.stream().filter(b::contains).toList();
    List<String> now = b.stream().filter(a::contains).toList();
    Set<String> kept = longestCommonOrder(common, now);
    for (String name : now) {
      if (kept.contains(name)) {
        continue;
      }
      FieldChange move =
          FieldChange.newBuilder()
              .setPath("(position)")
              .setOldValue(Integer.toString(a.indexOf(name)))
              .setNewValue(Integer.toString(b.indexOf(name)))
              .build();
      int at = indexOf(out, name);
      if (at >= 0) {
        out.set(at, out.get(at).toBuilder().addFields(move).build());
      } else {
        out.add(
            ObjectChange.newBuilder()
                .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                .setName(name)
                .setAction(Action.ACTION_UPDATE)
                .addFields(move)
                .build());
      }
    }
  }

  private static Set<String> longestCommonOrder(List<String> x, List<String> y) {
    int[][] len = new int[x.size() + 1][y.size() + 1];
    for (int i = x.size() - 1; i >= 0; i--) {
      for (int j = y.size() - 1; j >= 0; j--) {
        len[i][j] =
            x.get(i).equals(y.get(j))
                ? len[i + 1][j + 1] + 1
                : Math.max(len[i + 1][j], len[i][j + 1]);
      }
    }
    Set<String> kept = new LinkedHashSet<>();
    for (int i = 0, j = 0; i < x.size() && j < y.size(); ) {
      if (x.get(i).equals(y.get(j))) {
        kept.add(x.get(i));
        i++;
        j++;
      } else if (len[i + 1][j] >= len[i][j + 1]) {
        i++;
      } else {
        j++;
      }
    }
    return kept;
  }

  private static int indexOf(List<ObjectChange> changes, String route) {
    for (int i = 0; i < changes.size(); i++) {
      ObjectChange c = changes.get(i);
      if (c.getKind() == ObjectKind.OBJECT_KIND_ROUTE && c.getName().equals(route)) {
        return i;
      }
    }
    return -1;
  }

  private static <T extends Message> void kind(
      ObjectKind kind,
      List<T> before,
      List<T> after,
      Function<T, String> name,
      Function<T, Config> alone,
      List<ObjectChange> changes) {
    Map<String, T> old = new LinkedHashMap<>();
    before.forEach(o -> old.put(name.apply(o), o));
    Set<String> kept = new LinkedHashSet<>();
    for (T o : after) {
      String n = name.apply(o);
      kept.add(n);
      T was = old.get(n);
      ObjectChange.Builder c = ObjectChange.newBuilder().setKind(kind).setName(n);
      if (was == null) {
        changes.add(c.setAction(Action.ACTION_CREATE).build());
      } else if (!was.equals(o)) {
        Map<String, String> a = flatten(alone.apply(was));
        Map<String, String> b = flatten(alone.apply(o));
        Set<String> paths = new LinkedHashSet<>(a.keySet());
        paths.addAll(b.keySet());
        for (String p : paths) {
          String x = a.getOrDefault(p, "");
          String y = b.getOrDefault(p, "");
          if (!x.equals(y)) {
            c.addFields(FieldChange.newBuilder().setPath(p).setOldValue(x).setNewValue(y));
          }
        }
        changes.add(c.setAction(Action.ACTION_UPDATE).build());
      }
    }
    for (String n : old.keySet()) {
      if (!kept.contains(n)) {
        changes.add(
            ObjectChange.newBuilder()
                .setKind(kind)
                .setName(n)
                .setAction(Action.ACTION_DELETE)
                .build());
      }
    }
  }

  /** The single object of {@code config}, as {@code path -> scalar}. */
  private static Map<String, String> flatten(Config config) {
    JsonElement object =
        JsonParser.parseString(ConfigDocuments.toJson(config))
            .getAsJsonObject()
            .entrySet()
            .iterator()
            .next()
            .getValue()
            .getAsJsonArray()
            .get(0);
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", object, out);
    return out;
  }

  private static void flatten(String path, JsonElement e, Map<String, String> out) {
    if (e.isJsonObject()) {
      e.getAsJsonObject()
          .entrySet()
          .forEach(
              x ->
                  flatten(
                      path.isEmpty() ? x.getKey() : path + "." + x.getKey(), x.getValue(), out));
    } else if (e.isJsonArray()) {
      for (int i = 0; i < e.getAsJsonArray().size(); i++) {
        flatten(path + "[" + i + "]", e.getAsJsonArray().get(i), out);
      }
    } else if (!e.isJsonNull()) {
      out.put(path, e.getAsString());
    }
  }
}
