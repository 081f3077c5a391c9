package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Changes;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.RollbackRequest;
import dev.wharf.proto.admin.v1.WriteResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Commits a past version's config again, as a new version; history is never rewritten. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Make the config of a past VERSION (see wharfctl history) current again. It is "
          + "committed as a new version; prints what changed."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl rollback 7",
      "  + route old-docs",
      "  applied: version 10 (the config of version 7)",
      "",
      "Exit codes: 0 done, 1 no such version, 2 the config changed since it was read, "
          + "3 unreachable or not allowed."
    })
public final class RollbackCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "VERSION")
  private long toVersion;

  @Override
  int run(AdminClient client) {
    if (toVersion < 1) {
      throw Failure.invalidInput("VERSION " + toVersion + " (expected: >= 1)");
    }
    long version =
        client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance())).getVersion();
    RollbackRequest request =
        RollbackRequest.newBuilder().setExpectedVersion(version).setToVersion(toVersion).build();
    WriteResponse response = client.write(version, s -> s.rollback(request));
    Changes.print(response.getChangesList(), out());
    boolean changed = response.getChangesCount() > 0;
    out()
        .println(
            Changes.outcome(response.getVersion(), changed, false)
                + (changed ? " (the config of version " + toVersion + ")" : ""));
    return ExitCode.OK;
  }
}
