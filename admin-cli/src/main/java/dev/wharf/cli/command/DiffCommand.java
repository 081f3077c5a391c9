package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Changes;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code apply --dry-run} that prints the changes only: nothing when there are none. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show what applying a document would change, one line per object or field; print "
          + "nothing when it would change nothing. Writes nothing."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl diff -f wharf.yaml",
      "  ~ upstream app: endpoints[1].weight: 1 -> 3",
      "",
      "Exit codes: 0 whether or not there are changes (unlike diff(1)), 1 invalid "
          + "document or refused as invalid, 3 unreachable or not allowed."
    })
public final class DiffCommand extends AdminCommand {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML or JSON config document.")
  private Path file;

  @Override
  int run(AdminClient client) {
    Optional<Config> config = Documents.load(file, err());
    if (config.isEmpty()) {
      return ExitCode.INVALID_INPUT;
    }
    ApplyResponse response = ApplyCommand.apply(client, config.get(), true);
    Changes.print(response.getChangesList(), out());
    return ExitCode.OK;
  }
}
