package dev.wharf.cli.command;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a config document with the validator every part of Wharf runs, so {@code validate}, {@code
 * diff} and {@code apply} report a document's errors the same way, and before anything is sent.
 */
final class Documents {
  private Documents() {}

  /**
   * The document's config, or empty after printing to {@code err} why it cannot be used: a missing
   * or unreadable file, or every validator error with its field path and line.
   */
  static Optional<Config> load(Path file, PrintWriter err) {
    try {
      return Optional.of(ConfigDocuments.load(file));
    } catch (NoSuchFileException e) {
      err.println("error: " + file + ": no such file");
    } catch (IOException e) {
      err.println("error: cannot read " + file + ": " + e.getMessage());
    } catch (ConfigException e) {
      err.println(file + ": " + ConfigError.count(e.errors().size()));
      for (ConfigError error : e.errors()) {
        err.println("  " + error);
      }
    }
    return Optional.empty();
  }
}
