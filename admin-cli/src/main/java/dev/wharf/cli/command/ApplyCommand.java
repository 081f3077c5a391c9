package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Changes;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Makes a document the whole config. The document is validated here first (nothing is sent when it
 * does not validate); the write is based on the version read just before it, so a change made by
 * someone else in between is refused, not overwritten.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Make a document the whole config: create, update and delete what differs, in one "
          + "step. Objects the document does not hold are deleted.",
      "Prints what changed, then the new version."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl apply -f wharf.yaml --dry-run",
      "  wharfctl apply -f wharf.yaml",
      "",
      "Output:",
      "  + route api",
      "  ~ upstream app: endpoints[1].weight: 1 -> 3",
      "  - route old",
      "  applied: version 8",
      "",
      "Exit codes: 0 applied (or nothing to change), 1 invalid document or refused as "
          + "invalid, 2 the config changed since it was read, 3 unreachable or not allowed."
    })
public final class ApplyCommand extends AdminCommand {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML or JSON config document.")
  private Path file;

  @Option(names = "--dry-run", description = "Show what would change; write nothing.")
  private boolean dryRun;

  @Override
  int run(AdminClient client) {
    Optional<Config> config = Documents.load(file, err());
    if (config.isEmpty()) {
      return ExitCode.INVALID_INPUT;
    }
    ApplyResponse response = apply(client, config.get(), dryRun);
    Changes.print(response.getChangesList(), out());
    out().println(Changes.outcome(response.getVersion(), response.getChangesCount() > 0, dryRun));
    return ExitCode.OK;
  }

  /** Reads the current version, then applies {@code config} based on it. */
  static ApplyResponse apply(AdminClient client, Config config, boolean dryRun) {
    long version =
        client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance())).getVersion();
    ApplyRequest request =
        ApplyRequest.newBuilder()
            .setExpectedVersion(version)
            .setConfig(config)
            .setDryRun(dryRun)
            .build();
    return client.write(version, s -> s.apply(request));
  }
}
