package dev.wharf.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A string with nginx variables in it: {@code "$scheme://$host$request_uri"}, {@code
 * "${http_x_real_ip}-x"}, and in rewrite replacements the regex groups {@code $1}..{@code $9}.
 * Parsing checks the syntax only; {@link ConfigValidator} checks the names, and the data plane
 * renders the parts.
 */
public record Template(String source, List<Part> parts) {
  /** One piece of a template. */
  public sealed interface Part permits Literal, Variable, Group {}

  public record Literal(String text) implements Part {}

  /** A variable, name in lower case and without {@code $}. */
  public record Variable(String name) implements Part {}

  /** A regex group reference {@code $1}..{@code $9}. */
  public record Group(int number) implements Part {}

  public Template {
    parts = List.copyOf(parts);
  }

  /** Parses {@code source}; throws {@link IllegalArgumentException} saying where it is wrong. */
  public static Template parse(String source) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (c != '$') {
        literal.append(c);
        i++;
        continue;
      }
      if (literal.length() > 0) {
        parts.add(new Literal(literal.toString()));
        literal.setLength(0);
      }
      i = readReference(source, i, parts);
    }
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString()));
    }
    return new Template(source, parts);
  }

  /**
   * Reads the reference starting at the {@code $} at {@code dollar}; returns the index after it.
   */
  private static int readReference(String s, int dollar, List<Part> parts) {
    int i = dollar + 1;
    if (i < s.length() && Character.isDigit(s.charAt(i))) {
      parts.add(new Group(s.charAt(i) - '0'));
      return i + 1;
    }
    boolean braced = i < s.length() && s.charAt(i) == '{';
    int start = braced ? i + 1 : i;
    int end = start;
    while (end < s.length() && isNameChar(s.charAt(end))) {
      end++;
    }
    if (end == start) {
      throw new IllegalArgumentException(
          "'$' at index " + dollar + " is not followed by a variable name");
    }
    if (braced) {
      if (end >= s.length() || s.charAt(end) != '}') {
        throw new IllegalArgumentException("'${' at index " + dollar + " is not closed by '}'");
      }
      parts.add(new Variable(s.substring(start, end).toLowerCase(Locale.ROOT)));
      return end + 1;
    }
    parts.add(new Variable(s.substring(start, end).toLowerCase(Locale.ROOT)));
    return end;
  }

  private static boolean isNameChar(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
