package dev.wharf.controlplane.discovery;

import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.TreeSet;

/** The {@code refused_versions} of a node's status: what it refused and has not applied since. */
final class RefusalList {
  /** The reason shown for a refusal the node made on an earlier stream (its hello says it). */
  static final String EARLIER =
      "refused on an earlier stream (another replica, or before a restart); "
          + "wharfctl rollout retry pushes it again";

  /** Reasons are stored per node and shown in fleet views; a validator report fits. */
  private static final int MAX_REASON_CHARS = 4096;

  private RefusalList() {}

  /** The reason of {@code nack} as a status keeps it: cut after {@link #MAX_REASON_CHARS}. */
  static String reason(Nack nack) {
    String reason = nack.getReason();
    return reason.length() > MAX_REASON_CHARS
        ? reason.substring(0, MAX_REASON_CHARS) + "..."
        : reason;
  }

  /** The hello's refusals newer than the version it runs, and {@code highest} (this replica's). */
  static List<Long> of(Hello hello, long highest) {
    TreeSet<Long> all = new TreeSet<>();
    for (long v : hello.getRefusedVersionsList()) {
      if (v > hello.getVersion()) {
        all.add(v);
      }
    }
    if (highest > hello.getVersion()) {
      all.add(highest);
    }
    return List.copyOf(all);
  }

  /** The node runs {@code version} now: refusals up to it are moot. */
  static NodeStatus.Builder applied(NodeStatus.Builder status, long version) {
    List<Long> left =
        status.getRefusedVersionsList().stream().filter(v -> v > version).distinct().toList();
    return status.setAckedVersion(version).clearRefusedVersions().addAllRefusedVersions(left);
  }
}
