package dev.wharf.launch;

import java.io.PrintWriter;
import java.util.List;

/**
 * Why a process cannot start, said so the user can fix it: an {@code error:} line (and the detail
 * lines, such as one per config error) on stderr, never a stack trace, and the exit status. A
 * misused flag is a usage error (2); anything else that stops the start is 1.
 */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A flag or a combination of flags the command cannot run with. */
  public static final int USAGE = 2;

  /** The flags are fine but something they name is not: a file, a port, the store. */
  public static final int FAILED = 1;

  private final int exitCode;
  private final List<String> details;

  private StartupException(int exitCode, String message, List<String> details, Throwable cause) {
    super(message, cause, false, false);
    this.exitCode = exitCode;
    this.details = List.copyOf(details);
  }

  public static StartupException usage(String message) {
    return new StartupException(USAGE, message, List.of(), null);
  }

  public static StartupException failed(String message) {
    return new StartupException(FAILED, message, List.of(), null);
  }

  /** A failure whose message comes from {@code cause}, as in {@code --admin-api: in use}. */
  public static StartupException failed(String message, Throwable cause) {
    return new StartupException(FAILED, message, List.of(), cause);
  }

  /** A failure explained by a first line and indented detail lines. */
  public static StartupException failed(String message, List<String> details) {
    return new StartupException(FAILED, message, details, null);
  }

  public int exitCode() {
    return exitCode;
  }

  /** Prints the message as the user sees it and returns the exit status to end with. */
  public int report(PrintWriter err) {
    err.println("error: " + getMessage());
    for (String line : details) {
      err.println("  " + line);
    }
    err.flush();
    return exitCode;
  }
}
