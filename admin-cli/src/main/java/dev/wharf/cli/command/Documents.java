package dev.wharf.cli.command;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigDocuments.Document;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a config document with the validator every part of Wharf runs, so {@code validate}, {@code
 * diff} and {@code apply} report a document's errors the same way, and before anything is sent.
 * {@code -f -} reads standard input.
 *
 * <p>A whole document (a config file, {@code apply --prune}) is validated as a whole config. A
 * document merged into the current config ({@code apply}, {@code diff} without {@code --prune}) may
 * hold only some objects: each is checked by itself here, and the listeners and upstreams its
 * routes name are checked by the control plane, in the merged config.
 */
final class Documents {
  static final String STDIN = "-";

  private Documents() {}

  /** A whole config document; see {@link #load(Path, Input, PrintWriter, boolean)}. */
  static Optional<Config> load(Path file, Input input, PrintWriter err) {
    return load(file, input, err, true).map(Document::config);
  }

  /**
   * The document (its config and the version it records), or empty after printing to {@code err}
   * why it cannot be used: a missing or unreadable file, or every validator error with its field
   * path and line.
   */
  static Optional<Document> load(Path file, Input input, PrintWriter err, boolean whole) {
    String name = name(file);
    try {
      if (file.toString().equals(STDIN)) {
        return Optional.of(ConfigDocuments.loadDocument(input.stdin().get(), name, whole));
      }
      try (InputStream in = Files.newInputStream(file)) {
        return Optional.of(ConfigDocuments.loadDocument(in, name, whole));
      }
    } catch (NoSuchFileException e) {
      err.println("error: " + file + ": no such file");
    } catch (IOException e) {
      err.println("error: cannot read " + name + ": " + e.getMessage());
    } catch (ConfigException e) {
      err.println(name + ": " + ConfigError.count(e.errors().size()));
      for (ConfigError error : e.errors()) {
        err.println("  " + error);
      }
    }
    return Optional.empty();
  }

  /** How messages name the document: its path, or {@code stdin}. */
  static String name(Path file) {
    return file.toString().equals(STDIN) ? "stdin" : file.toString();
  }
}
