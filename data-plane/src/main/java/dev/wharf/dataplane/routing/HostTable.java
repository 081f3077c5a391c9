package dev.wharf.dataplane.routing;

import com.google.re2j.Pattern;
import dev.wharf.config.HostPattern;
import dev.wharf.config.LinearRegex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks the virtual host for a request's host name as nginx picks a {@code server} by {@code
 * server_name}: the exact name; else the longest wildcard starting with {@code *} ({@code
 * *.example.com}, or {@code .example.com}, which also matches {@code example.com}); else the
 * longest wildcard ending with {@code *}; else the first matching regex in config order; else the
 * default.
 *
 * <p>Immutable once built; lookups take no lock.
 */
final class HostTable<V> {
  private record Leading<V>(V value, boolean matchesBareName) {}

  private record Regex<V>(Pattern pattern, V value) {}

  private final Map<String, V> exact = new HashMap<>();

  /** Keyed by the suffix with its leading dot: ".example.com". */
  private final Map<String, Leading<V>> leading = new HashMap<>();

  /** Keyed by the prefix with its trailing dot: "www.example.". */
  private final Map<String, V> trailing = new HashMap<>();

  private final List<Regex<V>> regexes = new ArrayList<>();
  private V fallback;

  /** Adds a validated pattern; the first value for a pattern stays. */
  void add(HostPattern pattern, V value) {
    String name = pattern.name();
    switch (pattern.form()) {
      case REGEX -> regexes.add(new Regex<>(LinearRegex.compile(name, true), value));
      case LEADING_WILDCARD -> leading.putIfAbsent("." + name, new Leading<>(value, false));
      case NAME_AND_SUBDOMAINS -> leading.putIfAbsent("." + name, new Leading<>(value, true));
      case TRAILING_WILDCARD -> trailing.putIfAbsent(name + ".", value);
      case EXACT -> exact.putIfAbsent(name, value);
    }
  }

  /** What requests whose host matches no pattern get (nginx's default server). */
  void setFallback(V value) {
    this.fallback = value;
  }

  /** The virtual host for {@code host} (any case, without port), or the fallback (maybe null). */
  V select(String host) {
    if (exact.isEmpty() && leading.isEmpty() && trailing.isEmpty() && regexes.isEmpty()) {
      return fallback; // one server for every name: no strings to make per request
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    V found = exact.get(h);
    if (found != null) {
      return found;
    }
    Leading<V> bare = leading.isEmpty() ? null : leading.get("." + h);
    if (bare != null && bare.matchesBareName()) {
      return bare.value();
    }
    for (int dot = leading.isEmpty() ? -1 : h.indexOf('.');
        dot >= 0;
        dot = h.indexOf('.', dot + 1)) {
      Leading<V> l = leading.get(h.substring(dot));
      if (l != null) {
        return l.value();
      }
    }
    int last = trailing.isEmpty() ? -1 : h.lastIndexOf('.');
    for (int dot = last; dot > 0; dot = h.lastIndexOf('.', dot - 1)) {
      found = trailing.get(h.substring(0, dot + 1));
      if (found != null) {
        return found;
      }
    }
    for (Regex<V> r : regexes) {
      if (r.pattern().matcher(h).find()) {
        return r.value();
      }
    }
    return fallback;
  }
}
