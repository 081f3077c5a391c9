package dev.wharf.config;

import java.util.Locale;

/**
 * One entry of {@code match.hosts} read as nginx reads a {@code server_name}: which of its forms it
 * has, and the name it is about. Parsing only classifies; {@link HostPatterns#problem} says whether
 * the pattern is valid. Two patterns that parse equal are the same virtual host.
 *
 * @param form which of nginx's forms the pattern has
 * @param name the lower-cased host name without the wildcard part ({@code example.com} for {@code
 *     *.Example.com}, {@code www.example} for {@code www.example.*}); for a regex, the regex as
 *     written (lower-casing it would change {@code \D} into {@code \d})
 */
public record HostPattern(Form form, String name) {
  /** nginx's {@code server_name} forms. */
  public enum Form {
    /** {@code example.com}: that name only. */
    EXACT,
    /** {@code *.example.com}: any subdomain of the name, not the name itself. */
    LEADING_WILDCARD,
    /** {@code .example.com}: the name and any subdomain of it. */
    NAME_AND_SUBDOMAINS,
    /** {@code www.example.*}: the name followed by any last labels. */
    TRAILING_WILDCARD,
    /** {@code ~regex}: a case-insensitive regex searched for in the host. */
    REGEX
  }

  /** Classifies {@code pattern}; never throws, whatever the text. */
  public static HostPattern parse(String pattern) {
    HostPattern asWritten = split(pattern);
    return asWritten.form == Form.REGEX
        ? asWritten
        : new HostPattern(asWritten.form, asWritten.name.toLowerCase(Locale.ROOT));
  }

  /**
   * The form and the name as written, case kept: what the validator checks, since lower-casing can
   * turn a character that is not allowed into one that is (the Kelvin sign into {@code k}).
   */
  static HostPattern split(String pattern) {
    if (pattern.startsWith("~")) {
      return new HostPattern(Form.REGEX, pattern.substring(1));
    }
    if (pattern.startsWith("*.")) {
      return new HostPattern(Form.LEADING_WILDCARD, pattern.substring(2));
    }
    if (pattern.endsWith(".*")) {
      return new HostPattern(Form.TRAILING_WILDCARD, pattern.substring(0, pattern.length() - 2));
    }
    if (pattern.startsWith(".")) {
      return new HostPattern(Form.NAME_AND_SUBDOMAINS, pattern.substring(1));
    }
    return new HostPattern(Form.EXACT, pattern);
  }
}
