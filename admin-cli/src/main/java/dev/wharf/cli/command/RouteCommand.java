package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wharfctl route ...}: changes to one route without writing a whole document. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = "Change one route (wharfctl route set --help).",
    subcommands = RouteSetCommand.class,
    footer = {"", "Example:", "  wharfctl route set api --prefix /api/ --upstream app"})
public final class RouteCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand: set");
  }
}
