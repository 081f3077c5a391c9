package dev.wharf.cli.exit;

import java.io.PrintWriter;

/** A bug in wharfctl, not a user's mistake: one line, exit 1; the stack trace only with --debug. */
public final class Unexpected {
  private Unexpected() {}

  /** Prints {@code error: MESSAGE} (and, with {@code debug}, the trace); returns the exit code. */
  public static int report(Exception e, boolean debug, PrintWriter err) {
    err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    if (debug) {
      e.printStackTrace(err);
    }
    return ExitCode.INVALID_INPUT;
  }
}
