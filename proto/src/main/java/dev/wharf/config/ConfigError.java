package dev.wharf.config;

import java.util.Objects;

/**
 * One thing wrong with a config document: where ({@code routes[2].proxy.rewrite.regex}) and why
 * ({@code unclosed group near index 7}). {@code line} is the 1-based line in the source document
 * when it is known, else 0.
 */
public record ConfigError(String path, String message, int line) {
  public ConfigError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  public ConfigError(String path, String message) {
    this(path, message, 0);
  }

  ConfigError withLine(int newLine) {
    return new ConfigError(path, message, newLine);
  }

  /** {@code routes[2].proxy.rewrite.regex: unclosed group near index 7 (line 14)}. */
  @Override
  public String toString() {
    String where = path.isEmpty() ? "(document)" : path;
    return line > 0 ? where + ": " + message + " (line " + line + ")" : where + ": " + message;
  }
}
