package dev.wharf.config;

import dev.wharf.proto.config.v1.PathMatch;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What each kind of {@link PathMatch} means, in one place: its config field, its nginx {@code
 * location} modifier, the text it holds, whether it is a regex, and when two matches are the same.
 * Everything that reads a path match (the validator, the data plane's tables, the CLI's tables and
 * nginx import) asks here instead of switching over the kinds itself.
 *
 * <p>How nginx then chooses among locations (an exact match wins; else the longest prefix, which
 * wins at once when it is a {@code ^~}; else the first regex in config order; else that prefix) is
 * the data plane's lookup, not a property of one match.
 */
public final class PathMatches {
  /** The kinds, in the order the config reference lists them. */
  private enum Kind {
    EXACT("exact", "=", PathMatch.Builder::setExact),
    PREFIX("prefix", "", PathMatch.Builder::setPrefix),
    PREFIX_NO_REGEX("prefix_no_regex", "^~", PathMatch.Builder::setPrefixNoRegex),
    REGEX("regex", "~", PathMatch.Builder::setRegex),
    REGEX_CASE_INSENSITIVE(
        "regex_case_insensitive", "~*", PathMatch.Builder::setRegexCaseInsensitive);

    final String field;
    final String modifier;
    final BiConsumer<PathMatch.Builder, String> set;

    Kind(String field, String modifier, BiConsumer<PathMatch.Builder, String> set) {
      this.field = field;
      this.modifier = modifier;
      this.set = set;
    }

    static Optional<Kind> of(PathMatch m) {
      return switch (m.getKindCase()) {
        case EXACT -> Optional.of(EXACT);
        case PREFIX -> Optional.of(PREFIX);
        case PREFIX_NO_REGEX -> Optional.of(PREFIX_NO_REGEX);
        case REGEX -> Optional.of(REGEX);
        case REGEX_CASE_INSENSITIVE -> Optional.of(REGEX_CASE_INSENSITIVE);
        case KIND_NOT_SET -> Optional.empty();
      };
    }
  }

  /** The config field of each kind: {@code exact, prefix, prefix_no_regex, regex, ...}. */
  public static final List<String> FIELDS = Stream.of(Kind.values()).map(k -> k.field).toList();

  /**
   * The nginx location modifiers, longest first, so that one read off the front of a location
   * written without a space ({@code ^~/img}) is not taken for a shorter one ({@code ~}). A plain
   * prefix has no modifier.
   */
  public static final List<String> MODIFIERS =
      Stream.of(Kind.values())
          .map(k -> k.modifier)
          .filter(m -> !m.isEmpty())
          .sorted(Comparator.comparingInt(String::length).reversed())
          .toList();

  private PathMatches() {}

  /** Whether one of the kinds is set. */
  public static boolean isSet(PathMatch m) {
    return m.getKindCase() != PathMatch.KindCase.KIND_NOT_SET;
  }

  /** {@code regex} or {@code regex_case_insensitive}. */
  public static boolean isRegex(PathMatch m) {
    return m.hasRegex() || m.hasRegexCaseInsensitive();
  }

  /** {@code prefix} or {@code prefix_no_regex}. */
  public static boolean isPrefix(PathMatch m) {
    return m.hasPrefix() || m.hasPrefixNoRegex();
  }

  /** The path of an exact or prefix match, the regex of a regex match; empty when unset. */
  public static String value(PathMatch m) {
    return switch (m.getKindCase()) { // no lambda or Optional: called for every route per change
      case EXACT -> m.getExact();
      case PREFIX -> m.getPrefix();
      case PREFIX_NO_REGEX -> m.getPrefixNoRegex();
      case REGEX -> m.getRegex();
      case REGEX_CASE_INSENSITIVE -> m.getRegexCaseInsensitive();
      case KIND_NOT_SET -> "";
    };
  }

  /** The config field that is set ({@code prefix_no_regex}); empty when none is. */
  public static String field(PathMatch m) {
    return Kind.of(m).map(k -> k.field).orElse("");
  }

  /** The nginx modifier: {@code =}, {@code ^~}, {@code ~}, {@code ~*}; empty for a prefix. */
  public static String modifier(PathMatch m) {
    return Kind.of(m).map(k -> k.modifier).orElse("");
  }

  /** As an nginx location reads: {@code = /login}, {@code /api/}, {@code ~* \.php$}. */
  public static String text(PathMatch m) {
    String modifier = modifier(m);
    return modifier.isEmpty() ? value(m) : modifier + " " + value(m);
  }

  /** The match an nginx location modifier makes of {@code value}; empty for an unknown one. */
  public static Optional<PathMatch> of(String modifier, String value) {
    return Stream.of(Kind.values())
        .filter(k -> k.modifier.equals(modifier))
        .findFirst()
        .map(
            k -> {
              PathMatch.Builder m = PathMatch.newBuilder();
              k.set.accept(m, value);
              return m.build();
            });
  }

  /** The {@code java.util.regex} flags of a regex match: case-insensitive for {@code ~*}. */
  public static int regexFlags(PathMatch m) {
    return m.hasRegexCaseInsensitive() ? Pattern.CASE_INSENSITIVE : 0;
  }

  /** Whether the match ignores case: {@code ~*}. */
  public static boolean isCaseInsensitive(PathMatch m) {
    return m.hasRegexCaseInsensitive();
  }

  /**
   * Compiles the regex of a regex match with {@link LinearRegex}, to be searched for in a path.
   *
   * @throws IllegalArgumentException when {@code m} is not a regex match
   * @throws LinearRegex.Refused when the regex is not valid or not one RE2 runs
   */
  public static com.google.re2j.Pattern compile(PathMatch m) {
    if (!isRegex(m)) {
      throw new IllegalArgumentException("not a regex match: " + text(m));
    }
    return LinearRegex.compile(value(m), isCaseInsensitive(m));
  }

  /**
   * Equal for two matches that select the same requests, as nginx's "duplicate location" has it:
   * the same kind and text, except that a prefix and a {@code ^~} prefix of the same path are the
   * same location (they differ only in whether regexes are tried after them). An exact match and a
   * prefix of the same path are not. Empty when no kind is set.
   */
  public static String sameMatchKey(PathMatch m) {
    if (!isSet(m)) {
      return "";
    }
    return (isPrefix(m) ? "prefix" : modifier(m)) + " " + value(m);
  }
}
