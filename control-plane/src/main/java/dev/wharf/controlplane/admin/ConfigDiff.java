package dev.wharf.controlplane.admin;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.wharf.proto.admin.v1.FieldChange;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.ObjectChange.Action;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What changes between two configs, object by object (matched by kind and name) and, for an updated
 * object, field by field: {@code proxy.upstream}, {@code endpoints[1].weight}, {@code
 * mime_types.wasm}. Messages are compared field by field down to scalars; repeated fields by index;
 * map fields by key. A value that appears or disappears as a whole (an endpoint added at the end, a
 * health check set for the first time) is one change whose other side is "". Values are shown as
 * YAML would show them ({@link YamlValues}).
 *
 * <p>Route order: a route whose place among the routes both configs hold changed (it is not part of
 * the longest run of routes that kept their relative order) is an update with the change {@value
 * #POSITION}, from its old index to its new one. Routes merely shifted by an insertion or a
 * deletion elsewhere are not changes.
 *
 * <p>Changes are listed listeners first, then upstreams, then routes; by name within a kind. Pure
 * and thread-safe.
 */
final class ConfigDiff {
  /** The path of a route's change of place; not a field, hence the parentheses. */
  static final String POSITION = "(position)";

  private ConfigDiff() {}

  static List<ObjectChange> between(Config before, Config after) {
    List<ObjectChange> changes = new ArrayList<>();
    objects(
        ObjectKind.OBJECT_KIND_LISTENER,
        byName(before.getListenersList(), Listener::getName),
        byName(after.getListenersList(), Listener::getName),
        Map.of(),
        changes);
    objects(
        ObjectKind.OBJECT_KIND_UPSTREAM,
        byName(before.getUpstreamsList(), Upstream::getName),
        byName(after.getUpstreamsList(), Upstream::getName),
        Map.of(),
        changes);
    objects(
        ObjectKind.OBJECT_KIND_ROUTE,
        byName(before.getRoutesList(), Route::getName),
        byName(after.getRoutesList(), Route::getName),
        moves(names(before.getRoutesList()), names(after.getRoutesList())),
        changes);
    return changes;
  }

  /** Every field that differs between two messages of one type, as above. */
  static List<FieldChange> fields(Message before, Message after) {
    List<FieldChange> out = new ArrayList<>();
    message(before, after, "", out);
    return out;
  }

  /** One line, e.g. {@code +1 route, ~1 upstream, -2 listeners}; {@code no change}. */
  static String summary(List<ObjectChange> changes) {
    List<String> parts = new ArrayList<>();
    List<Action> actions =
        List.of(Action.ACTION_CREATE, Action.ACTION_UPDATE, Action.ACTION_DELETE);
    for (Action action : actions) {
      for (ObjectKind kind :
          List.of(
              ObjectKind.OBJECT_KIND_LISTENER,
              ObjectKind.OBJECT_KIND_UPSTREAM,
              ObjectKind.OBJECT_KIND_ROUTE)) {
        long n =
            changes.stream().filter(c -> c.getAction() == action && c.getKind() == kind).count();
        if (n > 0) {
          parts.add(sign(action) + n + " " + ObjectKinds.noun(kind) + (n == 1 ? "" : "s"));
        }
      }
    }
    return parts.isEmpty() ? "no change" : String.join(", ", parts);
  }

  private static String sign(Action action) {
    return switch (action) {
      case ACTION_CREATE -> "+";
      case ACTION_DELETE -> "-";
      default -> "~";
    };
  }

  private static <T extends Message> void objects(
      ObjectKind kind,
      SortedMap<String, T> before,
      SortedMap<String, T> after,
      Map<String, FieldChange> moved,
      List<ObjectChange> out) {
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    for (String name : names) {
      T old = before.get(name);
      T now = after.get(name);
      ObjectChange.Builder change = ObjectChange.newBuilder().setKind(kind).setName(name);
      if (old == null) {
        out.add(change.setAction(Action.ACTION_CREATE).build());
      } else if (now == null) {
        out.add(change.setAction(Action.ACTION_DELETE).build());
      } else {
        List<FieldChange> fields = fields(old, now);
        FieldChange move = moved.get(name);
        if (move != null) {
          fields.add(move);
        }
        if (!fields.isEmpty()) {
          out.add(change.setAction(Action.ACTION_UPDATE).addAllFields(fields).build());
        }
      }
    }
  }

  private static void message(Message before, Message after, String prefix, List<FieldChange> out) {
    Map<FieldDescriptor, Object> a = before.getAllFields();
    Map<FieldDescriptor, Object> b = after.getAllFields();
    for (FieldDescriptor field : before.getDescriptorForType().getFields()) {
      Object va = a.get(field);
      Object vb = b.get(field);
      if (Objects.equals(va, vb)) {
        continue;
      }
      String path = prefix.isEmpty() ? field.getName() : prefix + "." + field.getName();
      if (field.isMapField()) {
        map(field, entries(field, va), entries(field, vb), path, out);
      } else if (field.isRepeated()) {
        List<?> la = va == null ? List.of() : (List<?>) va;
        List<?> lb = vb == null ? List.of() : (List<?>) vb;
        for (int i = 0; i < Math.max(la.size(), lb.size()); i++) {
          value(
              field,
              i < la.size() ? la.get(i) : null,
              i < lb.size() ? lb.get(i) : null,
              path + "[" + i + "]",
              out);
        }
      } else {
        value(field, va, vb, path, out);
      }
    }
  }

  /** One value (or one element of a repeated field) on each side; null where it is absent. */
  private static void value(
      FieldDescriptor field, Object a, Object b, String path, List<FieldChange> out) {
    if (Objects.equals(a, b)) {
      return;
    }
    if (a != null
        && b != null
        && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !YamlValues.isScalar(field.getMessageType())) {
      message((Message) a, (Message) b, path, out);
      return;
    }
    out.add(
        FieldChange.newBuilder()
            .setPath(path)
            .setOldValue(YamlValues.render(field, a))
            .setNewValue(YamlValues.render(field, b))
            .build());
  }

  private static void map(
      FieldDescriptor field,
      SortedMap<String, Object> a,
      SortedMap<String, Object> b,
      String path,
      List<FieldChange> out) {
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String key : keys) {
      value(valueField, a.get(key), b.get(key), path + "." + key, out);
    }
  }

  private static SortedMap<String, Object> entries(FieldDescriptor field, Object value) {
    SortedMap<String, Object> out = new TreeMap<>();
    if (value == null) {
      return out;
    }
    FieldDescriptor key = field.getMessageType().findFieldByName("key");
    FieldDescriptor val = field.getMessageType().findFieldByName("value");
    for (Object o : (List<?>) value) {
      Message entry = (Message) o;
      out.put(String.valueOf(entry.getField(key)), entry.getField(val));
    }
    return out;
  }

  /**
   * The routes both orders hold that changed place, each with its change: those outside the longest
   * subsequence of common routes whose relative order stayed the same.
   */
  private static Map<String, FieldChange> moves(List<String> before, List<String> after) {
    Map<String, Integer> oldIndex = new HashMap<>();
    for (int i = 0; i < before.size(); i++) {
      oldIndex.putIfAbsent(before.get(i), i);
    }
    List<String> common = new ArrayList<>();
    Map<String, Integer> newIndex = new HashMap<>();
    for (int i = 0; i < after.size(); i++) {
      String name = after.get(i);
      if (oldIndex.containsKey(name) && newIndex.putIfAbsent(name, i) == null) {
        common.add(name);
      }
    }
    Set<String> stayed = longestIncreasing(common, oldIndex);
    Map<String, FieldChange> moved = new HashMap<>();
    for (String name : common) {
      if (!stayed.contains(name)) {
        moved.put(
            name,
            FieldChange.newBuilder()
                .setPath(POSITION)
                .setOldValue(Integer.toString(oldIndex.get(name)))
                .setNewValue(Integer.toString(newIndex.get(name)))
                .build());
      }
    }
    return moved;
  }

  /** The names of a longest run of {@code names} whose {@code index} goes up (O(n log n)). */
  private static Set<String> longestIncreasing(List<String> names, Map<String, Integer> index) {
    int n = names.size();
    // tailIndex[k]: the position in names of the smallest last element of a run of length k+1
    int[] tailIndex = new int[n];
    int[] previous = new int[n];
    int length = 0;
    for (int i = 0; i < n; i++) {
      int value = index.get(names.get(i));
      int lo = 0;
      int hi = length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (index.get(names.get(tailIndex[mid])) < value) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      previous[i] = lo > 0 ? tailIndex[lo - 1] : -1;
      tailIndex[lo] = i;
      length = Math.max(length, lo + 1);
    }
    Set<String> run = new HashSet<>();
    for (int i = length == 0 ? -1 : tailIndex[length - 1]; i >= 0; i = previous[i]) {
      run.add(names.get(i));
    }
    return run;
  }

  private static List<String> names(List<Route> routes) {
    return routes.stream().map(Route::getName).toList();
  }

  private static <T extends Message> SortedMap<String, T> byName(
      List<T> objects, Function<T, String> name) {
    SortedMap<String, T> out = new TreeMap<>();
    for (T o : objects) {
      out.putIfAbsent(name.apply(o), o); // a duplicate is the validator's to report
    }
    return out;
  }
}
