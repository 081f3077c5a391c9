package dev.wharf.controlplane.store;

import java.time.Instant;
import java.util.Objects;

/** One past version: when it was committed, by whom, and what it changed (one line). */
public record HistoryRecord(long version, Instant committedAt, String principal, String summary) {
  public HistoryRecord {
    Objects.requireNonNull(committedAt, "committedAt");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(summary, "summary");
  }

  /** Checks the argument of {@link ConfigStore#history}. */
  static int requireLimit(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    return limit;
  }

  /** Checks the argument of {@link ConfigStore#version}. */
  static long requireVersion(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
    }
    return version;
  }
}
