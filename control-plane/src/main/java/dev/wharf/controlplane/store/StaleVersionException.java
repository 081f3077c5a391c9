package dev.wharf.controlplane.store;

/**
 * A write was refused because the config changed since the writer read it. Nothing was written; the
 * writer reads again and decides, it is never merged.
 */
public final class StaleVersionException extends StoreException {
  private final long expectedVersion;
  private final long currentVersion;

  public StaleVersionException(long expectedVersion, long currentVersion) {
    super(
        "the config changed since it was read: the write expected version "
            + expectedVersion
            + " but the current version is "
            + currentVersion);
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }

  public long expectedVersion() {
    return expectedVersion;
  }

  public long currentVersion() {
    return currentVersion;
  }
}
