package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Prints the completion script of a shell. The scripts hold no list of commands: on every TAB they
 * ask {@code wharfctl __complete} ({@link CompleteCommand}), so they never go stale and can offer
 * the names of objects and nodes the Admin API knows.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Print a completion script for bash (default), zsh or fish. It completes commands, "
          + "flags and kinds, and asks the Admin API for the names of listeners, upstreams, "
          + "routes and nodes and the versions in the history (with the connection flags "
          + "typed on the line, else the environment and the context)."
    },
    footer = {
      "",
      "Examples:",
      "  source <(wharfctl completion)                      # bash, this shell",
      "  wharfctl completion > ~/.local/share/bash-completion/completions/wharfctl",
      "  source <(wharfctl completion zsh)                  # zsh, after compinit",
      "  wharfctl completion fish > ~/.config/fish/completions/wharfctl.fish"
    })
public final class CompletionCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SHELL",
      completionCandidates = Shells.class,
      description = "bash (default), zsh or fish.")
  private String shell = "bash";

  @Override
  public Integer call() {
    if (!List.of("bash", "zsh", "fish").contains(shell)) {
      throw new ParameterException(
          spec.commandLine(), "unknown shell '" + shell + "' (expected: bash, zsh or fish)");
    }
    spec.commandLine().getOut().print(script(shell));
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }

  private static String script(String shell) {
    try (InputStream in = CompletionCommand.class.getResourceAsStream("wharfctl." + shell)) {
      if (in == null) {
        throw new IllegalStateException("the " + shell + " script is missing from wharfctl");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For completion of SHELL. */
  static final class Shells implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("bash", "zsh", "fish").iterator();
    }
  }
}
