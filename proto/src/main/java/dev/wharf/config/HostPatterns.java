package dev.wharf.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The forms of nginx {@code server_name} that Wharf accepts in {@code match.hosts}: {@code
 * example.com}, {@code *.example.com}, {@code .example.com} (the name and every subdomain), {@code
 * example.*}, and {@code ~regex} (case-insensitive, as in nginx). Which form a pattern has is
 * {@link HostPattern#parse}'s to say; this says whether it is a valid one.
 */
public final class HostPatterns {
  private static final Pattern LABELS =
      Pattern.compile(
          "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");

  private HostPatterns() {}

  /** Why {@code pattern} is not a valid host pattern, or empty when it is. */
  public static Optional<String> problem(String pattern) {
    if (pattern.isEmpty()) {
      return Optional.of("empty host (leave hosts empty to match every host)");
    }
    if (pattern.equals("_")) {
      return Optional.of(
          "'_' is nginx's idiom for a catch-all name; "
              + "in Wharf leave hosts empty to match every host");
    }
    HostPattern parsed = HostPattern.split(pattern);
    if (parsed.form() == HostPattern.Form.REGEX) {
      return LinearRegex.problem(parsed.name(), true);
    }
    if (parsed.name().contains("*")) {
      return Optional.of(
          "'"
              + pattern
              + "': a wildcard may only be a whole first or last label "
              + "(*.example.com, example.*)");
    }
    if (!LABELS.matcher(parsed.name()).matches()) {
      return Optional.of("'" + pattern + "' is not a host name");
    }
    return Optional.empty();
  }
}
