package dev.wharf.cli.command;

import java.io.InputStream;
import java.util.function.Supplier;

/**
 * wharfctl's standard input: where {@code -f -} reads a document from, and whether a person is at a
 * terminal to answer a question ({@code apply --prune} asks before it deletes). Tests pass their
 * own.
 *
 * @param stdin opened when a command reads it; not closed by commands
 * @param terminal whether stdin and stdout are a terminal a person can answer on
 */
public record Input(Supplier<InputStream> stdin, boolean terminal) {
  /** The process's own: {@code System.in}, a terminal when the JVM has a console. */
  public static Input system() {
    return new Input(() -> System.in, System.console() != null);
  }
}
