package dev.wharf.config;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;
import java.util.regex.MatchResult;

/**
 * The one place where a regex written by a user (a route's path regex, a {@code ~regex} host, a
 * rewrite) is checked and compiled. Its regexes run on RE2/J, whose time is linear in the length of
 * the text: a request cannot make one backtrack for seconds on an event loop, as {@code
 * ^/re/(.*a){12}$} does with {@code java.util.regex} on 31 {@code a}s. The validator and the data
 * plane's tables both compile here, so a regex the validator accepts is one the tables can run.
 *
 * <p>What RE2 cannot run in linear time (backreferences, lookaround, atomic groups, possessive
 * quantifiers, recursion) is refused with the construct's name; so is a regex whose counted
 * repetitions would expand it past {@link #MAX_EXPANDED_SIZE} parts, which RE2/J would build in
 * memory without a limit. Plain syntax errors keep the wording Wharf has always used ({@code
 * unclosed group near index 9}): {@code java.util.regex} only parses such a regex to describe the
 * error and never matches anything.
 *
 * <p>Thread-safe: a compiled {@link Pattern} may be shared by every event loop.
 */
public final class LinearRegex {
  /** The most parts a regex may have once {@code x{n}} is written out as n copies of x. */
  public static final int MAX_EXPANDED_SIZE = 2000;

  /**
   * java.util.regex is asked for its error message only for regexes this long at most: it recurses
   * into nested classes ({@code [[[[...}) and took over a minute, ending in a stack overflow, on a
   * 300 KB regex.
   */
  private static final int JAVA_MESSAGE_MAX_LENGTH = 1000;

  static final String WHY = "Wharf's regexes run in linear time (RE2 syntax)";

  /** A regex Wharf does not run; the message is the reason, without the field. */
  public static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason);
    }
  }

  private LinearRegex() {}

  /**
   * Compiles {@code regex}, searched for as nginx does (a match anywhere unless anchored).
   *
   * @param caseInsensitive as nginx's {@code ~*} and {@code ~regex} host names
   * @throws Refused with the reason, e.g. {@code lookahead (?=...) is not supported: ...}
   */
  public static Pattern compile(String regex, boolean caseInsensitive) {
    Optional<String> unsupported = Re2Refusals.scan(regex);
    if (unsupported.isPresent()) {
      throw new Refused(unsupported.get());
    }
    // Inline flags such as (?i) may turn folding on anywhere; any group opening counts.
    if ((caseInsensitive || regex.contains("(?")) && UnfoldableRunes.touches(regex)) {
      throw new Refused(
          "U+1C80..U+1C88 cannot be matched case-insensitively (RE2/J 1.8 never finishes folding"
              + " their case): write them out, or match case-sensitively");
    }
    try {
      return Pattern.compile(regex, caseInsensitive ? Pattern.CASE_INSENSITIVE : 0);
    } catch (PatternSyntaxException e) {
      throw new Refused(syntaxReason(regex, e));
    }
  }

  /** Why {@link #compile} refuses {@code regex}, or empty when it compiles. */
  public static Optional<String> problem(String regex, boolean caseInsensitive) {
    try {
      compile(regex, caseInsensitive);
      return Optional.empty();
    } catch (Refused e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The first match of {@code pattern} in {@code input} as a {@link MatchResult}, the type the data
   * plane carries captures in ({@code $1}..{@code $9}), or null when there is none.
   */
  public static MatchResult find(Pattern pattern, CharSequence input) {
    Matcher m = pattern.matcher(input);
    return m.find() ? RegexCaptures.of(m, input) : null;
  }

  /**
   * A regex RE2 refuses without a construct {@link Re2Refusals} names: a syntax error in any engine
   * is told as {@code java.util.regex} tells it (with its index); what only RE2 refuses is told in
   * RE2's words: {@code \p{Alpha} is not supported (invalid character class range)}.
   */
  private static String syntaxReason(String regex, PatternSyntaxException re2) {
    if (regex.length() > JAVA_MESSAGE_MAX_LENGTH) {
      String near = re2.getPattern();
      return re2.getDescription()
          + ": "
          + (near.length() > 40 ? near.substring(0, 40) + "..." : near);
    }
    try {
      java.util.regex.Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      return javaReason(e);
    }
    return re2.getPattern() + " is not supported (" + re2.getDescription() + "): " + WHY;
  }

  /** {@code Unclosed group} at index 7 -> {@code unclosed group near index 7}. */
  private static String javaReason(java.util.regex.PatternSyntaxException e) {
    String description = e.getDescription();
    String reason =
        description.isEmpty()
            ? "invalid regex"
            : Character.toLowerCase(description.charAt(0)) + description.substring(1);
    return e.getIndex() >= 0 ? reason + " near index " + e.getIndex() : reason;
  }
}
