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
 * validator writes them ({@code endpoints[1].weight}) and values as YAML shows scalars: what
 * the contract says the real service answers.
 */
final class FakeDiff {
  private FakeDiff() {}

  static List<ObjectChange> between(Config before, Config after) {
    List<ObjectChange> changes = new ArrayList<>();
    kind(ObjectKind.OBJECT_KIND_LISTENER, before.getListenersList(), after.getListenersList(),
        Listener::getName, l -> Config.newBuilder().addListeners(l).build(), changes);
    kind(ObjectKind.OBJECT_KIND_UPSTREAM, before.getUpstreamsList(), after.getUpstreamsList(),
        Upstream::getName, u -> Config.newBuilder().addUpstreams(u).build(), changes);
    kind(ObjectKind.OBJECT_KIND_ROUTE, before.getRoutesList(), after.getRoutesList(),
        Route::getName, r -> Config.newBuilder().addRoutes(r).build(), changes);
    return changes;
  }

  private static <T extends Message> void kind(ObjectKind kind, List<T> before, List<T> after,
      Function<T, String> name, Function<T, Config> alone, List<ObjectChange> changes) {
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
        changes.add(ObjectChange.newBuilder().setKind(kind).setName(n)
            .setAction(Action.ACTION_DELETE).build());
      }
    }
  }

  /** The single object of {@code config}, as {@code path -> scalar}. */
  private static Map<String, String> flatten(Config config) {
    JsonElement object = JsonParser.parseString(ConfigDocuments.toJson(config)).getAsJsonObject()
        .entrySet().iterator().next().getValue().getAsJsonArray().get(0);
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", object, out);
    return out;
  }

  private static void flatten(String path, JsonElement e, Map<String, String> out) {
    if (e.isJsonObject()) {
      e.getAsJsonObject().entrySet().forEach(x ->
          flatten(path.isEmpty() ? x.getKey() : path + "." + x.getKey(), x.getValue(), out));
    } else if (e.isJsonArray()) {
      for (int i = 0; i < e.getAsJsonArray().size(); i++) {
        flatten(path + "[" + i + "]", e.getAsJsonArray().get(i), out);
      }
    } else if (!e.isJsonNull()) {
      out.put(path, e.getAsString());
    }
  }
}
