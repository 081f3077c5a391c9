package dev.wharf.cli.command;

import dev.wharf.proto.admin.v1.NodeRefusal;
import dev.wharf.proto.admin.v1.RolloutStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code rollout --wait} prints between two polls: each node that reached the version, or
 * refused it with its reason, as it happens, so a long rollout shows where it stands. A node that
 * left the pending list without the applied count growing left the fleet (its stream ended).
 */
final class RolloutProgress {
  private RolloutStatus last;

  RolloutProgress(RolloutStatus first) {
    this.last = first;
  }

  /** Prints what changed since the last poll. */
  void update(RolloutStatus now, PrintWriter out) {
    String version = "version " + Long.toUnsignedString(now.getVersion());
    int newlyApplied = Math.max(0, now.getApplied() - last.getApplied());
    for (String node : last.getPendingList()) {
      if (now.getPendingList().contains(node)) {
        continue;
      }
      List<NodeRefusal> refusal =
          now.getRefusedList().stream().filter(r -> r.getNodeId().equals(node)).toList();
      if (!refusal.isEmpty()) {
        out.println(
            node
                + ": refused "
                + version
                + ": "
                + refusal.get(0).getReason().strip().lines().findFirst().orElse(""));
      } else if (newlyApplied > 0) {
        newlyApplied--;
        out.println(node + ": applied " + version);
      } else {
        out.println(node + ": left the fleet before applying " + version);
      }
    }
    out.flush();
    last = now;
  }
}
