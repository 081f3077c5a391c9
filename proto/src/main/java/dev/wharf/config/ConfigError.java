package dev.wharf.config;

import java.util.Objects;

/**
 * One thing wrong with a config document: where ({@code routes[2].proxy.rewrite.regex}) and why
 * ({@code unclosed group near index 7}). {@code line} is the 1-based line in the source document
 * when it is known, else 0. {@code object} names the listener, upstream or route the path is in
 * ({@code route api}) when the validator knows its name, else it is empty: an index alone does not
 * tell a user which of forty routes is meant.
 */
public record ConfigError(String path, String message, int line, String object) {
  public ConfigError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(object, "object");
  }

  public ConfigError(String path, String message, int line) {
    this(path, message, line, "");
  }

  public ConfigError(String path, String message) {
    this(path, message, 0, "");
  }

  ConfigError withLine(int newLine) {
    return new ConfigError(path, message, newLine, object);
  }

  ConfigError withObject(String newObject) {
    return new ConfigError(path, message, line, newObject);
  }

  /**
   * {@code route api: routes[2].proxy.rewrite.regex: unclosed group near index 7 (line 14)}; the
   * object's name leads when it is known.
   */
  @Override
  public String toString() {
    String where = path.isEmpty() ? "(document)" : path;
    String named = object.isEmpty() ? where : object + ": " + where;
    return line > 0 ? named + ": " + message + " (line " + line + ")" : named + ": " + message;
  }

  /** {@code 1 error}, {@code 3 errors}: the one wording of an error count, wherever it is said. */
  public static String count(int errors) {
    return errors == 1 ? "1 error" : errors + " errors";
  }
}
