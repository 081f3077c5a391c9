package dev.wharf.controlplane;

import dev.wharf.config.DurationFlags;
import dev.wharf.controlplane.discovery.LivenessSettings;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.launch.StartupException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a replica watches its nodes and spreads them over the replicas (docs/operations.md, "Liveness
 * and rebalancing"); a picocli mixin.
 */
public final class LivenessOptions {
  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      defaultValue = "${env:WHARF_HEARTBEAT_INTERVAL:-1s}",
      converter = DurationFlags.Positive.class,
      description =
          "How often each node is sent a heartbeat; nodes give up a replica after their "
              + "--control-plane-timeout (5s) without one (default: ${DEFAULT-VALUE}). "
              + "Env WHARF_HEARTBEAT_INTERVAL.")
  Duration heartbeatInterval;

  @Option(
      names = "--node-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:WHARF_NODE_TIMEOUT:-5s}",
      converter = DurationFlags.Positive.class,
      description =
          "End the stream of a node that answered no heartbeat for this long (it hung), so its "
              + "status stops saying connected (default: ${DEFAULT-VALUE}). Env WHARF_NODE_TIMEOUT.")
  Duration nodeTimeout;

  @Option(
      names = "--rebalance-interval",
      paramLabel = "DURATION",
      defaultValue = "${env:WHARF_REBALANCE_INTERVAL:-10s}",
      converter = DurationFlags.Positive.class,
      description =
          "About how often the replica compares the nodes it holds with its share of the fleet, "
              + "plus up to half of it at random (default: ${DEFAULT-VALUE}). "
              + "Env WHARF_REBALANCE_INTERVAL.")
  Duration rebalanceInterval;

  @Option(
      names = "--rebalance-max-moves",
      paramLabel = "N",
      defaultValue = "${env:WHARF_REBALANCE_MAX_MOVES:-2}",
      description =
          "At most this many nodes asked to move to another replica per round; 0 turns "
              + "rebalancing off (default: ${DEFAULT-VALUE}). Env WHARF_REBALANCE_MAX_MOVES.")
  int rebalanceMaxMoves;

  /** Gives the replica these settings; a combination that makes no sense stops the start. */
  public void configure(ControlPlaneServer.Builder builder) throws StartupException {
    try {
      builder.liveness(
          new LivenessSettings(
              heartbeatInterval, nodeTimeout, rebalanceInterval, rebalanceMaxMoves));
    } catch (IllegalArgumentException e) {
      throw StartupException.usage(e.getMessage());
    }
  }
}
