package dev.wharf.controlplane.discovery;

import dev.wharf.proto.config.v1.Config;
import java.util.Objects;

/**
 * A config version that passed the shared validator and may be pushed to nodes. Immutable; one
 * instance is shared by every stream.
 */
record PublishedSnapshot(long version, Config config) {
  PublishedSnapshot {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
    Objects.requireNonNull(config, "config");
  }
}
