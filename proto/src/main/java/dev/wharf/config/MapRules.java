package dev.wharf.config;

import com.google.re2j.Pattern;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.MapEntry;
import dev.wharf.proto.config.v1.VariableMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rules for {@code maps} (nginx {@code map} blocks): each defines one new variable, once, from
 * templates that may use the built-in variables and the maps listed before it (so a chain of maps
 * never loops). Runs before the routes are checked, so their templates may use the new variables; a
 * map's variable is known at the latest phase of what its templates use.
 */
final class MapRules {
  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9_]{1,64}");

  private MapRules() {}

  static void check(List<VariableMap> maps, Problems problems) {
    Map<String, Integer> defined = new HashMap<>();
    for (int i = 0; i < maps.size(); i++) {
      String path = "maps[" + i + "]";
      VariableMap map = maps.get(i);
      Phase phase = templates(path, map, problems);
      String name = map.getVariable();
      String lower = name.toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        problems.add(path + ".variable", "required");
      } else if (!NAME.matcher(name).matches()) {
        problems.add(
            path + ".variable",
            "'" + name + "' is not a variable name (letters, digits and '_', without '$')");
      } else if (Variables.phaseOf(name).isPresent()) {
        problems.add(path + ".variable", "$" + name + " is a built-in variable");
      } else if (defined.containsKey(lower)) {
        problems.add(
            path + ".variable",
            "$" + name + " is defined twice (first by maps[" + defined.get(lower) + "])");
      } else {
        defined.put(lower, i);
        problems.defineMapVariable(name, phase);
      }
    }
  }

  /** Checks the map's keys and templates; returns the phase its value is known at. */
  private static Phase templates(String path, VariableMap map, Problems problems) {
    Phase phase = Phase.REQUEST;
    phase =
        later(
            phase,
            problems.template(path + ".source", map.getSource(), Phase.RESPONSE, -1),
            problems);
    if (map.getSource().isEmpty()) {
      problems.add(path + ".source", "required");
    }
    phase =
        later(
            phase,
            problems.template(path + ".default_value", map.getDefaultValue(), Phase.RESPONSE, -1),
            problems);
    for (int k = 0; k < map.getEntriesCount(); k++) {
      MapEntry entry = map.getEntries(k);
      String at = path + ".entries[" + k + "]";
      int groups = key(at + ".key", entry.getKey(), map.getHostnames(), problems);
      phase =
          later(
              phase,
              problems.template(at + ".value", entry.getValue(), Phase.RESPONSE, groups),
              problems);
    }
    return phase;
  }

  private static Phase later(Phase phase, Template template, Problems problems) {
    if (template == null) {
      return phase;
    }
    Phase p = problems.latestPhase(template);
    return p.compareTo(phase) > 0 ? p : phase;
  }

  /** Checks one key; returns the group count of a regex key, -1 for another. */
  private static int key(String path, String key, boolean hostnames, Problems problems) {
    if (key.startsWith("~*")) {
      Pattern p = problems.regex(path, key.substring(2), true);
      return p == null ? 0 : p.groupCount();
    }
    if (key.startsWith("~")) {
      Pattern p = problems.regex(path, key.substring(1), false);
      return p == null ? 0 : p.groupCount();
    }
    if (hostnames && key.indexOf('*') >= 0 && !isWildcard(key)) {
      problems.add(
          path,
          "'" + key + "' is not a host key (`*.example.com`, `.example.com`, `www.example.*`)");
    }
    return -1;
  }

  /** {@code *.suffix}, {@code prefix.*}: a single star at one end, after or before a dot. */
  static boolean isWildcard(String key) {
    int stars = key.length() - key.replace("*", "").length();
    return stars == 1
        && ((key.startsWith("*.") && key.length() > 2) || (key.endsWith(".*") && key.length() > 2));
  }
}
