package dev.wharf.config;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/**
 * Converts between {@link Instant} and protobuf's {@link Timestamp}, which have the same range and
 * resolution (seconds since the epoch plus nanoseconds in {@code [0, 1e9)}), so nothing is lost
 * either way. protobuf-java-util's {@code Timestamps} would do this, but Wharf does not ship that
 * library for two one-line methods.
 */
public final class Timestamps {
  private Timestamps() {}

  public static Timestamp toProto(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** An unset timestamp is the epoch. */
  public static Instant toJava(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
