package dev.wharf.cli.nginx;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Names for the objects of the imported config: valid Wharf names (letters, digits, '.', '_', '-',
 * starting with a letter or digit), unique within their kind.
 */
final class Names {
  private static final int MAX = 100;
  private final Set<String> taken = new HashSet<>();

  /** {@code base}, or {@code base-2}, {@code base-3}... when it is taken. */
  String unique(String base) {
    String name = base;
    for (int n = 2; !taken.add(name); n++) {
      name = base + "-" + n;
    }
    return name;
  }

  /** {@code text} with every character a name may not have replaced by '-'. */
  static String sanitize(String text) {
    String s = text.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "");
    s = s.length() > MAX ? s.substring(0, MAX) : s;
    return s.isEmpty() ? "unnamed" : s;
  }

  /** Words of {@code text} joined by '-', lower case: {@code /api/v1/} is {@code api-v1}. */
  static String slug(String text) {
    String s =
        text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return s.length() > 40 ? s.substring(0, 40).replaceAll("-+$", "") : s;
  }
}
