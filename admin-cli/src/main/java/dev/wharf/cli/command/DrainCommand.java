package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.DrainNodeResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Asks one node to drain and exit; returns once a replica has passed the request on. */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Ask a node to drain: it turns unready, stops accepting connections, closes the open "
          + "ones gracefully (WebSockets with 1001) and exits. Returns once the request is "
          + "passed on; wharfctl nodes shows when the node is gone."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl drain node-2",
      "  drain requested: node-2 (through replica cp-1)",
      "",
      "Exit codes: 0 requested, 1 no replica knows the node, 3 unreachable or not allowed."
    })
public final class DrainCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "NODE")
  private String node;

  @Override
  int run(AdminClient client) {
    DrainNodeRequest request = DrainNodeRequest.newBuilder().setNodeId(node).build();
    DrainNodeResponse response = client.call(s -> s.drainNode(request));
    String replica = response.getReplica();
    out()
        .println(
            "drain requested: "
                + node
                + (replica.isEmpty() ? "" : " (through replica " + replica + ")"));
    return ExitCode.OK;
  }
}
