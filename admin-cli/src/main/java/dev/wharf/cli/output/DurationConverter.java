package dev.wharf.cli.output;

import dev.wharf.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code 30s}, {@code 500ms}, {@code 1m30s} as config files write durations; above zero. */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration d;
    try {
      d = Durations.toJava(Durations.parse(value));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
    if (d.isNegative() || d.isZero()) {
      throw new TypeConversionException("'" + value + "' (expected: > 0)");
    }
    return d;
  }
}
