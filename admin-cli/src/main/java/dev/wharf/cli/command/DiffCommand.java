package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Changes;
import dev.wharf.config.ConfigDocuments.Document;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code apply --dry-run} that prints the changes only: nothing when there are none. It compares
 * with whatever is current, whatever version the document records: after {@code apply} refused a
 * stale document, it shows what applying it now would undo.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show what applying a document would change, one line per object or field; print "
          + "nothing when it would change nothing. Writes nothing. Compares with the current "
          + "config whatever version the document records (and says so when it is older).",
      "--prune also shows what 'apply --prune' would delete: the objects the document does not "
          + "hold."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl diff -f wharf.yaml",
      "  ~ upstream app: endpoints[1].weight: 1 -> 3",
      "  wharfctl diff --prune -f wharf.yaml",
      "  - route old",
      "",
      "Exit codes: 0 whether or not there are changes (unlike diff(1)), 1 invalid "
          + "document or refused as invalid, 3 unreachable or not allowed."
    })
public final class DiffCommand extends AdminCommand {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML or JSON config document; - reads standard input.")
  private Path file;

  @Option(
      names = "--prune",
      description = "Compare as 'apply --prune': show what the document does not hold as deleted.")
  private boolean prune;

  @Override
  int run(AdminClient client) {
    Optional<Document> document = Documents.load(file, input(), err(), prune);
    if (document.isEmpty()) {
      return ExitCode.INVALID_INPUT;
    }
    ApplyRequest request =
        ApplyRequest.newBuilder()
            .setConfig(document.get().config())
            .setPrune(prune)
            .setAllowEmpty(true) // shows what a write would do; refusing it is apply's business
            .setDryRun(true)
            .build();
    ApplyResponse response = client.call(s -> s.apply(request));
    long read = document.get().version();
    if (read != 0 && read != response.getVersion()) {
      err()
          .println(
              "note: "
                  + Documents.name(file)
                  + " was read at version "
                  + read
                  + "; compared with the current version "
                  + response.getVersion());
    }
    Changes.print(response.getChangesList(), out());
    return ExitCode.OK;
  }
}
