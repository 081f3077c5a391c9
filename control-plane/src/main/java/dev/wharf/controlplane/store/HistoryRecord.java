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
}
