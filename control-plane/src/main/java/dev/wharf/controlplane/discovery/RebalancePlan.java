package dev.wharf.controlplane.discovery;

import java.util.Set;

/**
 * How many of its nodes a replica asks to move in one rebalancing round: those it holds beyond its
 * share of the fleet (the fleet's size over the live replicas, rounded up), at most {@code
 * maxMoves}. A replica at or under its share moves nobody, so the nodes only ever flow from the
 * crowded replicas to the others, a few at a time, and a fleet spread as evenly as it can be stays
 * put (3 nodes on 2 replicas: 2 and 1).
 *
 * @param moves how many nodes to ask to move now
 * @param reason for the logs and the nodes': "cp-a holds 3 of 3 nodes on 2 replicas, its share is
 *     2"
 */
public record RebalancePlan(int moves, String reason) {
  /**
   * @param self this replica's id
   * @param mine nodes with a stream on this replica
   * @param fleet nodes of the whole fleet as the store lists them (at least {@code mine} count)
   * @param live replicas alive now as the store says (this one counts whether listed or not)
   * @param maxMoves the bound per round
   */
  public static RebalancePlan of(String self, int mine, int fleet, Set<String> live, int maxMoves) {
    int replicas = live.contains(self) ? live.size() : live.size() + 1;
    int nodes = Math.max(fleet, mine);
    int share = (nodes + replicas - 1) / replicas;
    int excess = Math.max(0, mine - share);
    return new RebalancePlan(
        Math.min(excess, maxMoves),
        self
            + " holds "
            + mine
            + " of "
            + nodes
            + " nodes on "
            + replicas
            + " replicas, its share is "
            + share);
  }
}
