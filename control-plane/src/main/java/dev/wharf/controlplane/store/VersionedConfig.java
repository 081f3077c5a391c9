package dev.wharf.controlplane.store;

import dev.wharf.proto.config.v1.Config;
import java.util.Objects;

/**
 * One version of the whole config. The version is the store revision of the commit that wrote
 * it; it only goes up. Version 0 is the empty config of a store nothing was ever written to.
 */
public record VersionedConfig(long version, Config config) {
  public static final VersionedConfig EMPTY = new VersionedConfig(0, Config.getDefaultInstance());

  public VersionedConfig {
    if (version < 0) {
      throw new IllegalArgumentException("version < 0: " + version);
    }
    Objects.requireNonNull(config, "config");
  }
}
