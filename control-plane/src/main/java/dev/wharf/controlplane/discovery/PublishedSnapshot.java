package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import dev.wharf.proto.config.v1.Config;
import java.util.Objects;

/**
 * A config version that passed the shared validator and may be pushed to nodes. Immutable; one
 * instance is shared by every stream, and so are the config's bytes: encoded once per version here,
 * not once per stream ({@link SnapshotPush}).
 *
 * @param configBytes {@code config} encoded, as {@code config.toByteString()}
 */
record PublishedSnapshot(long version, Config config, ByteString configBytes) {
  PublishedSnapshot {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(configBytes, "configBytes");
  }

  /** Encodes {@code config} once, for every stream it is pushed on. */
  PublishedSnapshot(long version, Config config) {
    this(version, config, Objects.requireNonNull(config, "config").toByteString());
  }
}
