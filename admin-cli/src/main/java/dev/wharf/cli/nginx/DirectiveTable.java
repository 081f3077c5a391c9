package dev.wharf.cli.nginx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Catalog}'s fixed verdicts by directive name, filled by {@link NotNeededDirectives} and
 * {@link NotTranslatedDirectives}. A name listed twice is a mistake in the tables and fails at
 * once.
 */
final class DirectiveTable {
  private final Map<String, Verdict> verdicts = new HashMap<>();

  /** Lists {@code names} as needing nothing in Wharf, for {@code reason}. */
  void notNeeded(String reason, String... names) {
    put(Verdict.notNeeded(reason), List.of(names));
  }

  /** Lists {@code names} as something Wharf cannot do, for {@code reason}. */
  void notTranslated(String reason, String... names) {
    put(Verdict.notTranslated(reason), List.of(names));
  }

  boolean contains(String name) {
    return verdicts.containsKey(name);
  }

  /** The verdict listed for {@code name}, or null when it is not listed. */
  Verdict get(String name) {
    return verdicts.get(name);
  }

  private void put(Verdict verdict, List<String> names) {
    for (String n : names) {
      if (verdicts.putIfAbsent(n, verdict) != null) {
        throw new IllegalStateException(n + " is listed twice");
      }
    }
  }
}
