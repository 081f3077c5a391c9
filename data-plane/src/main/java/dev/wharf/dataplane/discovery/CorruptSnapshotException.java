package dev.wharf.dataplane.discovery;

import java.nio.file.Path;

/**
 * A snapshot file exists but cannot be trusted: its header, length or checksum is wrong, or its
 * payload is not a snapshot. The message names the file and what is wrong with it.
 */
public final class CorruptSnapshotException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String reason;

  CorruptSnapshotException(Path file, String reason) {
    this(file, reason, null);
  }

  CorruptSnapshotException(Path file, String reason, Throwable cause) {
    super(file + " is corrupt: " + reason, cause);
    this.file = file;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  /** What is wrong, without the file name: {@code checksum mismatch (...)}. */
  public String reason() {
    return reason;
  }
}
