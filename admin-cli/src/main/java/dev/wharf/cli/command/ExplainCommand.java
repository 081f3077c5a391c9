package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Explanation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Documents a kind or a field from config.proto's comments; needs no server. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Describe a kind (config, listener, upstream, route) or one of its fields: its type as "
          + "a config document writes it, what it means, and its fields. Works without a server."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl explain route",
      "  wharfctl explain route.proxy.connect_timeout",
      "  wharfctl explain upstream.endpoints",
      "",
      "Exit codes: 0 explained, 1 no such kind or field."
    })
public final class ExplainCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND[.FIELD...]")
  private String path;

  @Override
  public Integer call() {
    try {
      spec.commandLine().getOut().print(Explanation.of(path));
      return ExitCode.OK;
    } catch (Failure f) {
      f.print(spec.commandLine().getErr());
      return f.exitCode();
    } finally {
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
    }
  }
}
