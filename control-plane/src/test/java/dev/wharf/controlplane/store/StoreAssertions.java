package dev.wharf.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wharf.proto.config.v1.Config;
import java.time.Instant;

final class StoreAssertions {
  private StoreAssertions() {}

  /** {@code actual} is {@code config} at {@code version}, with a known commit time. */
  static void assertVersion(long version, Config config, VersionedConfig actual) {
    assertEquals(version, actual.version(), "version");
    assertEquals(config, actual.config(), "config of version " + version);
    assertNotEquals(Instant.EPOCH, actual.committedAt(), "commit time of version " + version);
  }
}
