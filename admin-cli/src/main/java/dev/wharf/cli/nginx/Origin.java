package dev.wharf.cli.nginx;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a directive was written: its file and 1-based line, and the {@code include} that brought
 * the file in, if any. Printed as {@code file:line}, the form every report and error uses.
 *
 * @param includedFrom the origin of the {@code include} directive, or null in the main file
 */
public record Origin(Path file, int line, Origin includedFrom) {
  public Origin {
    Objects.requireNonNull(file, "file");
  }

  @Override
  public String toString() {
    return file + ":" + line;
  }
}
