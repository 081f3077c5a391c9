package dev.wharf.cli;

import dev.wharf.common.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wharfctl}: the operator's tool. Exit codes, the same for every command: 0 ok,
 * 1 invalid input, 2 conflict, 3 control plane unreachable or authentication refused,
 * 4 rollout NACKed or timed out.
 */
@Command(
    name = "wharfctl",
    mixinStandardHelpOptions = true,
    versionProvider = WharfCtl.Version.class,
    description = "Operate a Wharf fleet.",
    exitCodeOnInvalidInput = WharfCtl.INVALID_INPUT,
    subcommands = {ValidateCommand.class, CommandLine.HelpCommand.class})
public final class WharfCtl {
  static final int OK = 0;
  static final int INVALID_INPUT = 1;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new WharfCtl())
        .setExecutionExceptionHandler(WharfCtl::internalError)
        .execute(args);
  }

  /** A bug in wharfctl, not a user's mistake: one line, no stack trace, exit 1. */
  private static int internalError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println("error: " + e);
    return INVALID_INPUT;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"wharfctl " + BuildInfo.version(WharfCtl.class), BuildInfo.runtime()};
    }
  }
}
