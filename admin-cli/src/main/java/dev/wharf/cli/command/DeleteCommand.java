package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Changes;
import dev.wharf.cli.output.Kinds;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.WriteResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Deletes one object, based on the version at which it was read. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Delete one listener, upstream or route. An object others refer to (an upstream a "
          + "route proxies to) is not deleted; the error names the references."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl delete route old-docs",
      "  - route old-docs",
      "  applied: version 9",
      "",
      "Exit codes: 0 deleted, 1 no such object, still referred to, or the last listener or "
          + "route without --allow-empty, 2 the config changed "
          + "since it was read, 3 unreachable or not allowed."
    })
public final class DeleteCommand extends AdminCommand {
  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description = "listener, upstream or route.")
  private String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  private String name;

  @Option(
      names = "--allow-empty",
      description = "Allow deleting the last listener or the last route (the nodes stop serving).")
  private boolean allowEmpty;

  @Override
  int run(AdminClient client) {
    ObjectKind objectKind = Kinds.parse(kind);
    GetObjectRequest read = GetObjectRequest.newBuilder().setKind(objectKind).setName(name).build();
    long version = client.call(s -> s.getObject(read)).getVersion();
    DeleteObjectRequest delete =
        DeleteObjectRequest.newBuilder()
            .setExpectedVersion(version)
            .setKind(objectKind)
            .setName(name)
            .setAllowEmpty(allowEmpty)
            .build();
    WriteResponse response = client.write(version, s -> s.deleteObject(delete));
    Changes.print(response.getChangesList(), out());
    out().println(Changes.outcome(response.getVersion(), response.getChangesCount() > 0, false));
    return ExitCode.OK;
  }
}
