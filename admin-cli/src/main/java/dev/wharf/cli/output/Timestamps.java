package dev.wharf.cli.output;

import com.google.protobuf.Timestamp;
import java.time.temporal.ChronoUnit;

/** Times in tables: UTC, to the second ({@code 2025-03-01T09:30:00Z}), alike on every machine. */
public final class Timestamps {
  private Timestamps() {}

  /** Empty for an unset timestamp, which a table shows as {@code -}. */
  public static String of(Timestamp t) {
    if (t.getSeconds() == 0 && t.getNanos() == 0) {
      return "";
    }
    return dev.wharf.config.Timestamps.toJava(t).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
