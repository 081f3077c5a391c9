package dev.wharf.dataplane.admin;

import dev.wharf.proto.config.v1.Config;
import java.time.Instant;
import java.util.Objects;

/** A config a node applied: its version, when it was applied, and the config itself. */
public record AppliedConfig(long version, Instant appliedAt, Config config) {
  public AppliedConfig {
    Objects.requireNonNull(appliedAt, "appliedAt");
    Objects.requireNonNull(config, "config");
  }
}
