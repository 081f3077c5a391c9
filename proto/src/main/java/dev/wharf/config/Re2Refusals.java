package dev.wharf.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Reads a regex as PCRE and Java write it, to name the first construct RE2 does not run ({@code
 * lookahead (?=...)}, {@code backreference \1}, ...) before RE2 says only "invalid or unsupported
 * Perl syntax", and to measure how large its counted repetitions make it. It is a scan, not a
 * parser: what it does not name, {@link LinearRegex} leaves to RE2's own parser.
 */
final class Re2Refusals {
  /**
   * PCRE2's default limit on nested parentheses (nginx's regexes cannot nest deeper either).
   * Without one, {@code (((...} 200,000 deep spent seconds in {@code java.util.regex}, asked for
   * the error message, and was then refused as a "stack overflow".
   */
  static final int MAX_NESTING = 250;

  /** The longest POSIX class name with its {@code :]} ({@code ^xdigit:]}). */
  private static final int POSIX_CLASS_MAX = 9;

  /** The longest {@code {n,m}} RE2 reads as a repetition (nine digits each). */
  private static final int COUNTED_MAX = 21;

  /**
   * RE2J looks for the {@code :]} of each {@code [:} in a class to the end of the regex, so a regex
   * of many {@code [:} without one costs it time quadratic in its length (24 s for 60 KB, found by
   * RegexFuzzTest); more than this many are refused before RE2J sees them.
   */
  private static final int MAX_OPEN_POSIX_CLASSES = 64;

  private int openPosixClasses;

  private final String regex;
  private int at;

  /** Parts of each open group (and of the whole regex, at the bottom), as RE2 would expand them. */
  private final Deque<long[]> groups = new ArrayDeque<>();

  /** Parts of the atom before {@code at}, which a repetition multiplies. */
  private long last;

  private Re2Refusals(String regex) {
    this.regex = regex;
  }

  /** The reason RE2 cannot run {@code regex}, or empty when this scan finds none. */
  static Optional<String> scan(String regex) {
    return new Re2Refusals(regex).scan();
  }

  private Optional<String> scan() {
    groups.push(new long[] {0});
    while (at < regex.length()) {
      Optional<String> construct = step();
      if (construct.isPresent()) {
        return Optional.of(construct.get() + " is not supported: " + LinearRegex.WHY);
      }
      if (groups.size() > MAX_NESTING + 1) {
        return Optional.of(
            "groups nested more than "
                + MAX_NESTING
                + " deep near index "
                + (at - 1)
                + " (PCRE, and so nginx, refuses them too)");
      }
    }
    long size = 0;
    for (long[] g : groups) {
      size = cap(size + g[0]);
    }
    if (size > LinearRegex.MAX_EXPANDED_SIZE) {
      return Optional.of(
          "counted repetitions such as {1000} expand it to more than "
              + LinearRegex.MAX_EXPANDED_SIZE
              + " parts, which is not supported: "
              + LinearRegex.WHY);
    }
    return Optional.empty();
  }

  /** Reads one piece at {@code at}; returns the name of a construct RE2 does not run. */
  private Optional<String> step() {
    char c = regex.charAt(at);
    switch (c) {
      case '\\':
        return escape();
      case '[':
        return charClass();
      case '(':
        return openGroup();
      case ')':
        closeGroup();
        return Optional.empty();
      case '*', '+', '?':
        at++;
        grow(last + 1);
        return possessive(String.valueOf(c));
      case '{':
        return counted();
      default:
        at++;
        atom(1);
        return Optional.empty();
    }
  }

  private Optional<String> escape() {
    char next = at + 1 < regex.length() ? regex.charAt(at + 1) : 0;
    if (next >= '1' && next <= '9') {
      return Optional.of("backreference \\" + next);
    }
    if (next == 'k' || next == 'g') {
      return Optional.of("backreference \\" + next + "...");
    }
    switch (next) {
      case 'K':
        return Optional.of("match reset \\K");
      case 'G':
        return Optional.of("\\G (the end of the previous match)");
      case 'Z':
        return Optional.of("\\Z (use $ or \\z)");
      case 'Q':
        int end = regex.indexOf("\\E", at + 2);
        int stop = end < 0 ? regex.length() : end;
        for (int i = at + 2; i < stop; i++) {
          atom(1);
        }
        at = end < 0 ? regex.length() : end + 2;
        return Optional.empty();
      default:
        at += 2;
        atom(1);
        return Optional.empty();
    }
  }

  /** {@code [...]}: {@code ]} right after {@code [} or {@code [^} is a member, as in PCRE. */
  private Optional<String> charClass() {
    int i = at + 1;
    if (i < regex.length() && regex.charAt(i) == '^') {
      i++;
    }
    if (i < regex.length() && regex.charAt(i) == ']') {
      i++;
    }
    while (i < regex.length() && regex.charAt(i) != ']') {
      if (regex.charAt(i) == '\\') {
        i++;
      } else if (regex.startsWith("[:", i)) {
        int close = near(":]", i + 2, POSIX_CLASS_MAX);
        if (close < 0 && ++openPosixClasses > MAX_OPEN_POSIX_CLASSES) {
          return Optional.of("'[:' without ':]' more than " + MAX_OPEN_POSIX_CLASSES + " times");
        }
        i = close < 0 ? i : close + 1;
      } else if (regex.startsWith("&&", i)) {
        // Java intersects classes here; RE2 and PCRE would read two '&' members instead.
        return Optional.of("class intersection [...&&...]");
      }
      i++;
    }
    at = i + 1;
    atom(1);
    return Optional.empty();
  }

  private Optional<String> openGroup() {
    if (regex.startsWith("(*", at)) {
      return Optional.of("backtracking control verb (*...)");
    }
    if (regex.startsWith("(?", at)) {
      Optional<String> construct = groupKind(at + 2);
      if (construct.isPresent()) {
        return construct;
      }
      at++; // the '?' of (?:, (?i), (?P<name>: not a quantifier
    }
    at++;
    groups.push(new long[] {0});
    return Optional.empty();
  }

  /** The construct that {@code (?} opens when RE2 does not have it; {@code i} is after the ?. */
  private Optional<String> groupKind(int i) {
    char c = i < regex.length() ? regex.charAt(i) : 0;
    char d = i + 1 < regex.length() ? regex.charAt(i + 1) : 0;
    switch (c) {
      case '=':
        return Optional.of("lookahead (?=...)");
      case '!':
        return Optional.of("negative lookahead (?!...)");
      case '<':
        return d == '='
            ? Optional.of("lookbehind (?<=...)")
            : d == '!' ? Optional.of("negative lookbehind (?<!...)") : Optional.empty();
      case '>':
        return Optional.of("atomic group (?>...)");
      case '(':
        return Optional.of("conditional group (?(...)...)");
      case '|':
        return Optional.of("branch reset group (?|...)");
      case '#':
        return Optional.of("comment (?#...)");
      case 'C':
        return Optional.of("callout (?C...)");
      case '\'':
        return Optional.of("named group (?'name'...) (write (?P<name>...))");
      case 'R', '&', '+':
        return Optional.of("recursion (?" + c + "...)");
      case 'P':
        return d == '='
            ? Optional.of("backreference (?P=name)")
            : d == '>' ? Optional.of("recursion (?P>name)") : Optional.empty();
      default:
        if (Character.isDigit(c) || (c == '-' && Character.isDigit(d))) {
          return Optional.of("recursion (?" + c + "...)");
        }
        return flags(i);
    }
  }

  /** {@code (?i)}, {@code (?s-m:...)}: RE2 has the flags i, m, s and U. */
  private Optional<String> flags(int i) {
    for (int j = i; j < regex.length(); j++) {
      char f = regex.charAt(j);
      if (f == ')' || f == ':') {
        return Optional.empty();
      }
      if ("imsU-".indexOf(f) < 0) {
        return Optional.of("inline flag " + f + " in (?" + regex.substring(i, j + 1) + "...)");
      }
    }
    return Optional.empty();
  }

  private void closeGroup() {
    at++;
    if (groups.size() > 1) {
      long parts = groups.pop()[0];
      atom(cap(parts + 2));
    } else {
      atom(1);
    }
  }

  /** {@code {n}}, {@code {n,}}, {@code {n,m}}; anything else is a literal brace, as in RE2. */
  private Optional<String> counted() {
    int close = near("}", at, COUNTED_MAX);
    String inside = close < 0 ? "" : regex.substring(at + 1, close);
    if (!inside.matches("\\d{1,9}(,\\d{0,9})?")) {
      at++;
      atom(1);
      return Optional.empty();
    }
    String[] bounds = inside.split(",", -1);
    long copies = Long.parseLong(bounds[0]);
    if (bounds.length == 2) {
      copies = bounds[1].isEmpty() ? copies + 1 : Math.max(copies, Long.parseLong(bounds[1]));
    }
    at = close + 1;
    grow(cap(last * Math.max(copies, 1)));
    return possessive(regex.substring(close - inside.length() - 1, close + 1));
  }

  /** After a quantifier: {@code +} makes it possessive, which RE2 does not have. */
  private Optional<String> possessive(String quantifier) {
    if (at < regex.length() && regex.charAt(at) == '+') {
      return Optional.of("possessive quantifier " + quantifier + "+");
    }
    if (at < regex.length() && regex.charAt(at) == '?') {
      at++; // lazy: RE2 has it
    }
    return Optional.empty();
  }

  private void atom(long parts) {
    long[] group = groups.peek();
    group[0] = cap(group[0] + parts);
    last = parts;
  }

  /** A quantifier makes the atom before it {@code parts} large. */
  private void grow(long parts) {
    long[] group = groups.peek();
    group[0] = cap(group[0] - last + parts);
    last = parts;
  }

  /**
   * Where {@code what} starts within {@code limit} chars of {@code from}, or -1. Bounded, so that a
   * regex of a thousand unclosed {@code [:} or {@code {} is not scanned to its end for each.
   */
  private int near(String what, int from, int limit) {
    int end = Math.min(regex.length(), from + limit);
    int found = from < end ? regex.substring(from, end).indexOf(what) : -1;
    return found < 0 ? -1 : from + found;
  }

  private static long cap(long n) {
    return Math.min(n, 1L << 40);
  }
}
