package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigSummary;
import dev.wharf.proto.config.v1.Config;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Checks a config document with the same validator the control plane and nodes run. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Check a config document without applying it; lists every error.",
      "The document is checked as a whole config (as a node or standalone loads a file): "
          + "routes must name listeners and upstreams it holds."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl validate -f deploy/examples/demo.yaml",
      "  wharfctl get config | wharfctl validate -f -",
      "",
      "Exit codes: 0 valid, 1 invalid or unreadable."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML or JSON config document; - reads standard input.")
  private Path file;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Also print the config as Wharf reads it: yaml or json.")
  private String output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (output != null && !output.equals("yaml") && !output.equals("json")) {
      err.println("error: --output must be yaml or json, not '" + output + "'");
      return ExitCode.INVALID_INPUT;
    }
    Optional<Config> loaded =
        Documents.load(file, ((CommandRoot) spec.root().userObject()).input(), err);
    if (loaded.isEmpty()) {
      return ExitCode.INVALID_INPUT;
    }
    Config config = loaded.get();
    out.println(Documents.name(file) + ": valid (" + ConfigSummary.of(config) + ")");
    if (output != null) {
      out.print(
          output.equals("json") ? ConfigDocuments.toJson(config) : ConfigDocuments.toYaml(config));
    }
    return ExitCode.OK;
  }
}
