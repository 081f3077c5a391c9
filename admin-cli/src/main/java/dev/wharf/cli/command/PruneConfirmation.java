package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Kinds;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.ObjectChange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * {@code apply --prune}'s question before it deletes: on a terminal, "these objects would be
 * deleted: ...; continue? [y/N]"; without one (a script, a pipe), a refusal naming them and {@code
 * --yes}. A prune that deletes nothing asks nothing.
 */
final class PruneConfirmation {
  private final Input input;
  private final PrintWriter out;

  PruneConfirmation(Input input, PrintWriter out) {
    this.input = input;
    this.out = out;
  }

  /**
   * Whether the write may go ahead after the dry run {@code planned}: true when it deletes nothing
   * or the person answered yes; false (after saying so) when they did not.
   *
   * @throws Failure INVALID_INPUT when it deletes something and there is no terminal to ask on
   */
  boolean confirmed(ApplyResponse planned) {
    List<String> deleted =
        planned.getChangesList().stream()
            .filter(c -> c.getAction() == ObjectChange.Action.ACTION_DELETE)
            .map(c -> Kinds.name(c.getKind()) + " " + c.getName())
            .toList();
    if (deleted.isEmpty()) {
      return true;
    }
    String list = String.join(", ", deleted);
    if (!input.terminal()) {
      throw Failure.of(
          ExitCode.INVALID_INPUT,
          "--prune would delete "
              + list
              + "; no terminal to ask on, so nothing was applied (pass --yes to delete them; "
              + "'wharfctl diff --prune -f FILE' shows every change)");
    }
    out.print("these objects would be deleted: " + list + "; continue? [y/N] ");
    out.flush();
    String answer;
    try {
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(input.stdin().get(), StandardCharsets.UTF_8));
      answer = reader.readLine();
    } catch (IOException e) {
      answer = null;
    }
    String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
    if (a.equals("y") || a.equals("yes")) {
      return true;
    }
    out.println("nothing applied");
    return false;
  }
}
