package dev.wharf.dataplane.discovery;

import java.util.List;
import java.util.TreeSet;

/**
 * The versions this node process refused and has not applied since, so that every hello says them
 * and no replica, this one or another, pushes them again unless an operator asks ({@code wharfctl
 * rollout retry}). At most {@link #KEPT} are kept, the newest; versions at or below the one that
 * serves are dropped (they can never be pushed as new).
 *
 * <p>Kept in memory only: a node that restarts tries the latest version again, as an nginx that
 * restarts reads its config again. A restart is what an operator does after fixing what made the
 * node refuse (freeing a port, mounting a certificate); a standalone that refused its config at
 * start must apply it when started again.
 *
 * <p>Threading: called from the client's config thread only.
 */
final class RefusedVersions {
  static final int KEPT = 16;

  private final TreeSet<Long> versions = new TreeSet<>();

  /** The versions to say in the hello, oldest first. */
  List<Long> list() {
    return List.copyOf(versions);
  }

  /** The node refused {@code version}. */
  void refused(long version) {
    if (version > 0 && versions.add(version)) {
      while (versions.size() > KEPT) {
        versions.pollFirst();
      }
    }
  }

  /** Version {@code running} serves: it and every older refusal are moot now. */
  void serves(long running) {
    versions.headSet(running, true).clear();
  }
}
