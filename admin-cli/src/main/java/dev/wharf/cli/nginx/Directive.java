package dev.wharf.cli.nginx;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One nginx directive as written: {@code proxy_pass http://b;} or a block such as {@code location
 * /api { ... }}. Arguments are unquoted and unescaped, as nginx reads them. The children of an
 * {@code include} are not its block: the parser splices the included directives into the enclosing
 * block right after the {@code include} itself, each keeping its own file and line.
 *
 * <p>Two directives read from the same file at the same line (a snippet included twice) are
 * different directives: code that keeps track of directives compares them by identity.
 */
public record Directive(
    String name, List<String> args, boolean isBlock, List<Directive> children, Origin origin) {
  /** Arguments that read back the same without quotes (a regex's {@code \.} included). */
  private static final Pattern PLAIN = Pattern.compile("[^\\s;{}#'\"]+");

  public Directive {
    Objects.requireNonNull(name, "name");
    args = List.copyOf(args);
    children = List.copyOf(children);
    Objects.requireNonNull(origin, "origin");
  }

  /** The argument at {@code index}, or empty when there are fewer. */
  public String arg(int index) {
    return index < args.size() ? args.get(index) : "";
  }

  /** The first line of the directive as it could be written back: {@code location ^~ /ws}. */
  public String text() {
    StringBuilder out = new StringBuilder(name);
    for (String a : args) {
      out.append(' ').append(PLAIN.matcher(a).matches() ? a : quote(a));
    }
    return out.toString();
  }

  private static String quote(String arg) {
    return "'" + arg.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Override
  public String toString() {
    return origin + ": " + text() + (isBlock ? " {...}" : ";");
  }

  /** Identity, not equality: see the class comment. */
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
