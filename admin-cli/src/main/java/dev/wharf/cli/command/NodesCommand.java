package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.FleetTrees;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Table;
import dev.wharf.cli.output.Timestamps;
import dev.wharf.cli.output.Trees;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The fleet as the replicas recorded it: who runs which version, who refused one and why. */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "List the nodes: the replica each is connected to, the version it runs, how many "
          + "versions it is behind, the last version it refused and why."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl nodes",
      "  NODE   REPLICA   VERSION   BEHIND   LAST NACK     CONNECTED SINCE        STATE",
      "  n1     cp-1      42        0        -             2025-03-01T09:00:00Z   running",
      "  n2     cp-2      41        1        42: port 80   2025-03-01T09:00:02Z   draining (412 left)",
      "  n3     cp-2      41        1        -             2025-03-01T09:00:02Z   unknown (last seen "
          + "2025-03-01T09:40:12Z)",
      "",
      "A node whose stream ended stays listed as 'disconnected since T', one whose replica "
          + "vanished as 'unknown (last seen T)', with the last version it reported, for the "
          + "control plane's --node-memory (default 10m).",
      "",
      "-o yaml|json prints every field of each node (docs/wharfctl.md).",
      "Times are UTC. Exit codes: 0 shown, 3 unreachable or not allowed."
    })
public final class NodesCommand extends AdminCommand {
  @Mixin private TreeFormat output;

  @Override
  int run(AdminClient client) {
    Format format = output.get("nodes");
    ListNodesResponse response =
        client.call(s -> s.listNodes(ListNodesRequest.getDefaultInstance()));
    if (format != Format.TABLE) {
      out().print(Trees.print(FleetTrees.nodes(response), format));
      return ExitCode.OK;
    }
    List<NodeView> nodes = response.getNodesList();
    if (nodes.isEmpty()) {
      out().println("no nodes");
      return ExitCode.OK;
    }
    Table table =
        new Table("NODE", "REPLICA", "VERSION", "BEHIND", "LAST NACK", "CONNECTED SINCE", "STATE");
    for (NodeView n : nodes) {
      NodeStatus s = n.getStatus();
      String nack =
          s.getLastNackVersion() == 0
              ? ""
              : Long.toUnsignedString(s.getLastNackVersion())
                  + ": "
                  + HistoryCommand.firstLine(s.getLastNackReason());
      table.row(
          s.getNodeId(),
          s.getReplica(),
          Long.toUnsignedString(s.getAckedVersion()),
          n.getVersionsBehind(),
          nack,
          Timestamps.of(s.getConnectedSince()),
          state(s));
    }
    table.print(out());
    return ExitCode.OK;
  }

  /**
   * {@code running}, {@code draining}, or {@code draining (412 left)} once the node reports it;
   * {@code disconnected since T} or {@code unknown (last seen T)} for a node the replicas remember
   * but hold no stream of (its VERSION is the last it reported).
   */
  static String state(NodeStatus s) {
    String since = Timestamps.of(s.getDisconnectedSince());
    if (s.getConnection() == NodeConnection.NODE_CONNECTION_DISCONNECTED) {
      return "disconnected since " + since;
    }
    if (s.getConnection() == NodeConnection.NODE_CONNECTION_UNKNOWN) {
      return "unknown (last seen " + since + ")";
    }
    if (!s.getDraining()) {
      return "running";
    }
    return s.hasDrainProgress()
        ? "draining ("
            + Integer.toUnsignedString(s.getDrainProgress().getConnectionsOpen())
            + " left)"
        : "draining";
  }
}
