package dev.wharf.cli.output;

import dev.wharf.config.Durations;
import java.time.Duration;

/** A duration as wharfctl's flags and messages write it: {@code 10s}, {@code 1m30s}. */
public final class DurationText {
  private DurationText() {}

  public static String of(Duration d) {
    return Durations.format(
        com.google.protobuf.Duration.newBuilder()
            .setSeconds(d.getSeconds())
            .setNanos(d.getNano())
            .build());
  }
}
