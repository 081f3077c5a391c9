package dev.wharf.dataplane.http;

import com.google.re2j.Pattern;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.Template;
import dev.wharf.proto.config.v1.MapEntry;
import dev.wharf.proto.config.v1.VariableMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;

/**
 * The variables a config's {@code maps} define (nginx {@code map}), compiled once per snapshot and
 * looked up when a template asks for one: the source is rendered, then matched as nginx does: an
 * exact key (case-insensitive), then for {@code hostnames} the longest {@code *.suffix} key, then
 * the longest {@code prefix.*} key, then regexes in order (RE2/J: linear time on the event loop),
 * else the default. Immutable; safe on every thread.
 */
public final class VariableMaps {
  public static final VariableMaps NONE = new VariableMaps(Map.of());

  private record Regex(Pattern pattern, Template value) {}

  /** A {@code *.suffix} or {@code prefix.*} key, without its star (suffix keeps its dot). */
  private record Wildcard(String part, Template value) {}

  private record CompiledMap(
      Template source,
      Map<String, Template> exact,
      List<Wildcard> suffixes,
      List<Wildcard> prefixes,
      List<Regex> regexes,
      Template fallback,
      boolean hostnames) {}

  private final Map<String, CompiledMap> byName;

  private VariableMaps(Map<String, CompiledMap> byName) {
    this.byName = byName;
  }

  /** Compiles validated maps. */
  public static VariableMaps compile(List<VariableMap> maps) {
    if (maps.isEmpty()) {
      return NONE;
    }
    Map<String, CompiledMap> byName = new HashMap<>();
    for (VariableMap m : maps) {
      byName.put(m.getVariable().toLowerCase(Locale.ROOT), compile(m));
    }
    return new VariableMaps(Map.copyOf(byName));
  }

  private static CompiledMap compile(VariableMap m) {
    Map<String, Template> exact = new HashMap<>();
    List<Wildcard> suffixes = new ArrayList<>();
    List<Wildcard> prefixes = new ArrayList<>();
    List<Regex> regexes = new ArrayList<>();
    for (MapEntry e : m.getEntriesList()) {
      String key = e.getKey();
      Template value = Template.parse(e.getValue());
      if (key.startsWith("~*")) {
        regexes.add(new Regex(LinearRegex.compile(key.substring(2), true), value));
      } else if (key.startsWith("~")) {
        regexes.add(new Regex(LinearRegex.compile(key.substring(1), false), value));
      } else {
        String lower = key.toLowerCase(Locale.ROOT);
        if (m.getHostnames() && lower.startsWith("*.")) {
          suffixes.add(new Wildcard(lower.substring(1), value));
        } else if (m.getHostnames() && lower.startsWith(".")) {
          // `.example.com`: the name itself and every name below it
          exact.putIfAbsent(lower.substring(1), value);
          suffixes.add(new Wildcard(lower, value));
        } else if (m.getHostnames() && lower.endsWith(".*")) {
          prefixes.add(new Wildcard(lower.substring(0, lower.length() - 1), value));
        } else {
          exact.putIfAbsent(lower, value); // the first of two equal keys wins, as in nginx
        }
      }
    }
    Comparator<Wildcard> longestFirst =
        Comparator.comparingInt((Wildcard w) -> w.part().length()).reversed();
    suffixes.sort(longestFirst);
    prefixes.sort(longestFirst);
    return new CompiledMap(
        Template.parse(m.getSource()),
        Map.copyOf(exact),
        List.copyOf(suffixes),
        List.copyOf(prefixes),
        List.copyOf(regexes),
        Template.parse(m.getDefaultValue()),
        m.getHostnames());
  }

  /** Whether {@code name} (lower case, without {@code $}) is a map's variable. */
  public boolean defines(String name) {
    return byName.containsKey(name);
  }

  /**
   * The value of map variable {@code name} for one request, rendered against {@code variables}
   * (which may name maps listed earlier); null when no map defines it.
   */
  public String lookup(String name, TemplateRenderer.VariableSource variables) {
    CompiledMap map = byName.get(name);
    if (map == null) {
      return null;
    }
    String source = TemplateRenderer.render(map.source(), variables, null);
    if (map.hostnames() && source.endsWith(".")) {
      source = source.substring(0, source.length() - 1);
    }
    String lower = source.toLowerCase(Locale.ROOT);
    Template exact = map.exact().get(lower);
    if (exact != null) {
      return TemplateRenderer.render(exact, variables, null);
    }
    for (Wildcard w : map.suffixes()) {
      if (lower.endsWith(w.part())) {
        return TemplateRenderer.render(w.value(), variables, null);
      }
    }
    for (Wildcard w : map.prefixes()) {
      if (lower.startsWith(w.part())) {
        return TemplateRenderer.render(w.value(), variables, null);
      }
    }
    for (Regex r : map.regexes()) {
      MatchResult groups = LinearRegex.find(r.pattern(), source);
      if (groups != null) {
        return TemplateRenderer.render(r.value(), variables, groups);
      }
    }
    return TemplateRenderer.render(map.fallback(), variables, null);
  }
}
