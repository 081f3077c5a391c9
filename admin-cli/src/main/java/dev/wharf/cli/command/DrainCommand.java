package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.DurationText;
import dev.wharf.config.DurationFlags;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.DrainNodeResponse;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.NodeConnection;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Asks one node to drain and exit; returns once a replica has passed the request on. */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Ask a node to drain: it turns unready, stops accepting connections, closes the open "
          + "ones gracefully (WebSockets with 1001) and exits. Returns once the request is "
          + "passed on; wharfctl nodes shows when the node is gone. With --wait, follows the "
          + "node until it is gone (at most --timeout, default 5m), printing the connections "
          + "it has left whenever the number changes."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl drain node-2",
      "  drain requested: node-2 (through replica cp-1)",
      "",
      "  wharfctl drain node-2 --wait",
      "  drain requested: node-2 (through replica cp-1)",
      "  node-2: draining",
      "  node-2: draining, 412 connections left, 12 of them WebSockets (88 closed)",
      "  node-2: draining, 0 connections left (500 closed)",
      "  node-2: gone (drained)",
      "",
      "Exit codes: 0 requested (with --wait: gone), 1 no replica knows the node, 3 unreachable "
          + "or not allowed, 4 --wait timed out."
    })
public final class DrainCommand extends AdminCommand {
  static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

  @Parameters(index = "0", paramLabel = "NODE")
  private String node;

  @Option(names = "--wait", description = "Follow the node until it is gone.")
  private boolean wait;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      converter = DurationFlags.Positive.class,
      defaultValue = "1s",
      description = "With --wait: time between two polls (default 1s).")
  private Duration interval;

  /** With --wait, each call's deadline is the usual 10s; --timeout bounds the whole wait. */
  @Override
  Duration callTimeout() {
    return wait ? DEFAULT_TIMEOUT : super.callTimeout();
  }

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
    out().flush();
    return wait ? follow(client) : ExitCode.OK;
  }

  /**
   * Polls the fleet until the node has left it, printing its progress each time it changed; exit 4
   * if it outlasts the wait.
   */
  private int follow(AdminClient client) {
    Duration whole = connection.timeout().orElse(DEFAULT_WAIT);
    Instant deadline = environment().clock().instant().plus(whole);
    String said = null;
    for (Optional<NodeStatus> now = find(client); now.isPresent(); now = find(client)) {
      String line = node + ": " + progress(now.get());
      if (!line.equals(said)) {
        out().println(line);
        out().flush();
        said = line;
      }
      Duration left = Duration.between(environment().clock().instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        throw Failure.of(
            ExitCode.ROLLOUT_FAILED,
            node + " is still connected after " + DurationText.of(whole) + " of draining");
      }
      try {
        environment().sleeper().sleep(interval.compareTo(left) < 0 ? interval : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Failure.of(ExitCode.ROLLOUT_FAILED, "interrupted while waiting for " + node);
      }
    }
    out().println(node + ": gone (drained)");
    return ExitCode.OK;
  }

  /**
   * {@code draining, 412 connections left (88 closed)}, with the WebSockets among them when there
   * are any; just {@code draining} before the node's first progress report.
   */
  static String progress(NodeStatus status) {
    if (!status.hasDrainProgress()) {
      return "draining";
    }
    DrainProgress p = status.getDrainProgress();
    StringBuilder line =
        new StringBuilder("draining, ")
            .append(Integer.toUnsignedString(p.getConnectionsOpen()))
            .append(p.getConnectionsOpen() == 1 ? " connection left" : " connections left");
    if (p.getWebsocketsOpen() > 0) {
      line.append(", ")
          .append(Integer.toUnsignedString(p.getWebsocketsOpen()))
          .append(p.getWebsocketsOpen() == 1 ? " of them a WebSocket" : " of them WebSockets");
    }
    return line.append(" (")
        .append(Integer.toUnsignedString(p.getConnectionsClosed()))
        .append(" closed)")
        .toString();
  }

  private Optional<NodeStatus> find(AdminClient client) {
    return client
        .call(s -> s.listNodes(ListNodesRequest.getDefaultInstance()))
        .getNodesList()
        .stream()
        .map(NodeView::getStatus)
        .filter(n -> n.getNodeId().equals(node))
        .filter(n -> n.getConnection() != NodeConnection.NODE_CONNECTION_DISCONNECTED) // gone
        .findFirst();
  }
}
