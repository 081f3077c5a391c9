package dev.wharf.controlplane.discovery;

import java.time.Duration;
import java.util.Objects;

/**
 * How a replica keeps track of its nodes and spreads them (docs/operations.md, "Liveness and
 * rebalancing").
 *
 * @param heartbeatInterval how often every node is sent a heartbeat (the first one right after its
 *     hello); nodes give a replica up after their {@code --control-plane-timeout} (5 s) of silence,
 *     so this must stay well below that
 * @param nodeTimeout a node that answered heartbeats before and then sent nothing for this long
 *     (hung, or its host gone) has its stream ended, so its status no longer says connected
 * @param rebalanceInterval about how often the replica compares the nodes it holds with its share
 *     of the fleet; each round comes after this plus up to half of it again, at random
 * @param rebalanceMaxMoves at most this many nodes are asked to move per round; 0 turns rebalancing
 *     off
 */
public record LivenessSettings(
    Duration heartbeatInterval,
    Duration nodeTimeout,
    Duration rebalanceInterval,
    int rebalanceMaxMoves) {
  public static final LivenessSettings DEFAULTS =
      new LivenessSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), 2);

  public LivenessSettings {
    positive("heartbeatInterval", heartbeatInterval);
    positive("nodeTimeout", nodeTimeout);
    positive("rebalanceInterval", rebalanceInterval);
    if (nodeTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException(
          "nodeTimeout: "
              + nodeTimeout
              + " (expected: > heartbeatInterval "
              + heartbeatInterval
              + ")");
    }
    if (rebalanceMaxMoves < 0) {
      throw new IllegalArgumentException(
          "rebalanceMaxMoves: " + rebalanceMaxMoves + " (expected: >= 0, 0 turns it off)");
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }
}
