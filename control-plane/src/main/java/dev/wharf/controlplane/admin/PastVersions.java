package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;

/**
 * The config of a past version, for a rollback; NOT_FOUND says why there is none: a version past
 * the latest does not exist yet (a typo such as {@code rollback 99} for {@code 9}), an older one is
 * no longer (or never was) in the history.
 */
final class PastVersions {
  private PastVersions() {}

  static Config config(ConfigStore store, long version) throws StoreException {
    var past = store.version(version);
    if (past.isPresent()) {
      return past.get().config();
    }
    long latest = store.read().version();
    if (version > latest) {
      throw AdminErrors.notFound(
          "version " + version + " does not exist yet (the latest version is " + latest + ")");
    }
    throw AdminErrors.notFound(
        "version "
            + version
            + " is not in the history (the store keeps the last "
            + ConfigStore.HISTORY_KEPT
            + " versions)");
  }
}
