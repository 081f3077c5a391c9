package dev.wharf.config;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The forms of nginx {@code server_name} that Wharf accepts in {@code match.hosts}:
 * {@code example.com}, {@code *.example.com}, {@code .example.com} (the name and every
 * subdomain), {@code example.*}, and {@code ~regex} (case-insensitive, as in nginx).
 */
public final class HostPatterns {
  private static final Pattern LABELS = Pattern.compile(
      "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");

  private HostPatterns() {}

  /** Why {@code pattern} is not a valid host pattern, or empty when it is. */
  public static Optional<String> problem(String pattern) {
    if (pattern.isEmpty()) {
      return Optional.of("empty host (leave hosts empty to match every host)");
    }
    if (pattern.equals("_")) {
      return Optional.of("'_' is nginx's idiom for a catch-all name; "
          + "in Wharf leave hosts empty to match every host");
    }
    if (pattern.startsWith("~")) {
      try {
        Pattern.compile(pattern.substring(1), Pattern.CASE_INSENSITIVE);
        return Optional.empty();
      } catch (PatternSyntaxException e) {
        return Optional.of(Problems.regexReason(e));
      }
    }
    String core = pattern;
    if (core.startsWith("*.")) {
      core = core.substring(2);
    } else if (core.endsWith(".*")) {
      core = core.substring(0, core.length() - 2);
    } else if (core.startsWith(".")) {
      core = core.substring(1);
    }
    if (core.contains("*")) {
      return Optional.of("'" + pattern + "': a wildcard may only be a whole first or last label "
          + "(*.example.com, example.*)");
    }
    if (!LABELS.matcher(core).matches()) {
      return Optional.of("'" + pattern + "' is not a host name");
    }
    return Optional.empty();
  }
}
