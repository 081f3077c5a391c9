package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.proto.admin.v1.RetryRolloutRequest;
import dev.wharf.proto.admin.v1.RetryRolloutResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Asks the replicas to push a refused version once more (the cause of the refusal is gone). */
@Command(
    name = "retry",
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Push a version that nodes refused once more: to every node that refused it, or to the "
          + "nodes named. A refused version is otherwise never pushed to that node again, by any "
          + "replica, even after a restart; retry once its cause is gone (e.g. the port is free "
          + "now). A node that refuses it again keeps its config. Only the latest version can be "
          + "retried. Follow it with 'wharfctl rollout --wait'."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl rollout retry",
      "  version 42: retry asked of 2 nodes: node-7, node-9",
      "",
      "Exit codes: 0 asked (or no node refused it), 1 not the latest version or a named node did "
          + "not refuse it, 3 unreachable or not allowed."
    })
public final class RolloutRetryCommand extends AdminCommand {
  // Not mixinStandardHelpOptions: its -V/--version would take the --version this command needs.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--version",
      paramLabel = "N",
      description = "The refused version (default: the latest, the only one that can be).")
  private Long version;

  @Parameters(arity = "0..*", paramLabel = "NODE", description = "Nodes to retry (default: all).")
  private List<String> nodes = new ArrayList<>();

  @Override
  int run(AdminClient client) {
    if (version != null && version < 1) {
      throw Failure.invalidInput("--version " + version + " (expected: >= 1)");
    }
    RetryRolloutRequest request =
        RetryRolloutRequest.newBuilder()
            .setVersion(version == null ? 0 : version)
            .addAllNodeIds(nodes)
            .build();
    RetryRolloutResponse response = client.call(s -> s.retryRollout(request));
    String head = "version " + Long.toUnsignedString(response.getVersion()) + ": ";
    if (response.getNodeIdsCount() == 0) {
      out().println(head + "no node refused it; nothing to retry");
    } else {
      out()
          .println(
              head
                  + "retry asked of "
                  + response.getNodeIdsCount()
                  + (response.getNodeIdsCount() == 1 ? " node: " : " nodes: ")
                  + String.join(", ", response.getNodeIdsList()));
    }
    return ExitCode.OK;
  }
}
