package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints the bash completion script of every command and flag. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = "Print a bash completion script for wharfctl.",
    footer = {
      "",
      "Examples:",
      "  source <(wharfctl completion)                      # this shell",
      "  wharfctl completion > ~/.local/share/bash-completion/completions/wharfctl"
    })
public final class CompletionCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("wharfctl", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
