package dev.wharf.config;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on a command line, written as config files write them ({@code 500ms}, {@code 5s},
 * {@code 1m30s}), for every Wharf program's options: one parser ({@link Durations}) and one wording
 * of the error, which picocli prints after the option's name.
 */
public final class DurationFlags {
  private DurationFlags() {}

  /** Above zero: a timeout, an interval. */
  public static final class Positive implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = parse(value);
      if (d.isNegative() || d.isZero()) {
        throw new TypeConversionException("'" + value + "' (expected: > 0)");
      }
      return d;
    }
  }

  /** Zero or more: a delay or a grace period that may be none. */
  public static final class NonNegative implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = parse(value);
      if (d.isNegative()) {
        throw new TypeConversionException("'" + value + "' (expected: >= 0)");
      }
      return d;
    }
  }

  private static Duration parse(String value) {
    try {
      return Durations.toJava(Durations.parse(value.strip()));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
