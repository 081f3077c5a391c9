package dev.wharf.cli.exit;

import java.io.PrintWriter;
import java.util.List;

/**
 * Why a command stopped, as the user should read it: the lines to print on stderr (the first starts
 * with {@code error: }) and the exit code. Thrown from deep inside a command and printed once, by
 * the command that runs it ({@code AdminCommand}).
 */
public final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final transient List<String> lines;

  private Failure(int exitCode, List<String> lines) {
    super(lines.get(0), null, false, false);
    this.exitCode = exitCode;
    this.lines = List.copyOf(lines);
  }

  /** {@code error: MESSAGE}, then {@code details} as they are. */
  public static Failure of(int exitCode, String message, List<String> details) {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("error: " + message);
    lines.addAll(details);
    return new Failure(exitCode, lines);
  }

  public static Failure of(int exitCode, String message) {
    return of(exitCode, message, List.of());
  }

  /** A mistake in what the user gave: exit 1. */
  public static Failure invalidInput(String message) {
    return of(ExitCode.INVALID_INPUT, message);
  }

  public int exitCode() {
    return exitCode;
  }

  public List<String> lines() {
    return lines;
  }

  public void print(PrintWriter err) {
    lines.forEach(err::println);
  }
}
