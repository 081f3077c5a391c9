package dev.wharf.controlplane.admin;

import dev.wharf.proto.config.v1.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a merged document's routes go, since regex routes are tried in order: routes the config
 * holds are replaced, and the document's order among them is kept in the places they occupied (two
 * routes swapped in the document are swapped in the config; routes the document does not name stay
 * where they are). A new route goes before the next route of the document that the config holds,
 * else after the previous one, else last.
 */
final class RouteOrder {
  private RouteOrder() {}

  static List<Route> merge(List<Route> current, List<Route> document) {
    Set<String> held = new HashSet<>();
    for (Route r : current) {
      held.add(r.getName());
    }
    List<Route> existing = document.stream().filter(r -> held.contains(r.getName())).toList();
    Set<String> existingNames = new HashSet<>();
    existing.forEach(r -> existingNames.add(r.getName()));
    List<Route> out = new ArrayList<>(current);
    if (existing.isEmpty()) {
      out.addAll(document); // no anchor: all new, last, in the document's order
      return out;
    }
    int next = 0;
    for (int i = 0; i < out.size(); i++) {
      if (existingNames.contains(out.get(i).getName())) {
        out.set(i, existing.get(next++));
      }
    }
    for (int d = 0; d < document.size(); d++) {
      Route route = document.get(d);
      if (!held.contains(route.getName())) {
        out.add(place(out, document, d), route);
      }
    }
    return out;
  }

  /** Where the document's new route {@code d} goes in {@code out}. */
  private static int place(List<Route> out, List<Route> document, int d) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < out.size(); i++) {
      index.put(out.get(i).getName(), i);
    }
    for (int after = d + 1; after < document.size(); after++) {
      Integer at = index.get(document.get(after).getName());
      if (at != null) {
        return at;
      }
    }
    for (int before = d - 1; before >= 0; before--) {
      Integer at = index.get(document.get(before).getName());
      if (at != null) {
        return at + 1;
      }
    }
    return out.size();
  }
}
