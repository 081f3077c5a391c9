package dev.wharf.controlplane.store;

import dev.wharf.proto.config.v1.Config;
import java.time.Instant;
import java.util.Objects;

/**
 * One version of the whole config. The version is the store revision of the commit that wrote it;
 * it only goes up. Version 0 is the empty config of a store nothing was ever written to.
 *
 * @param committedAt when the commit was made, by the writer's clock; {@link Instant#EPOCH} when
 *     unknown (the empty config, or a record written before commit times were kept)
 */
public record VersionedConfig(long version, Config config, Instant committedAt) {
  public static final VersionedConfig EMPTY = new VersionedConfig(0, Config.getDefaultInstance());

  public VersionedConfig {
    if (version < 0) {
      throw new IllegalArgumentException("version < 0: " + version);
    }
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(committedAt, "committedAt");
  }

  /** A version whose commit time is unknown. */
  public VersionedConfig(long version, Config config) {
    this(version, config, Instant.EPOCH);
  }
}
