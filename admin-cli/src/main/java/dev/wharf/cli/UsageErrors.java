package dev.wharf.cli;

import dev.wharf.cli.exit.ExitCode;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A misused command or flag: one line saying what is wrong, picocli's "did you mean" when it has
 * one, and where the usage is, rather than the whole usage text, which buries the one line that
 * matters. Exit 1, as every invalid input.
 */
final class UsageErrors {
  private UsageErrors() {}

  static int report(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = e.getMessage();
    // picocli words some messages (mutually exclusive options) as "Error: ...".
    err.println("error: " + (message.startsWith("Error: ") ? message.substring(7) : message));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCode.INVALID_INPUT;
  }
}
