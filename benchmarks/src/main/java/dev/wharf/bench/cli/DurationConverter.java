package dev.wharf.bench.cli;

import dev.wharf.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1m30s} as config files write durations
 * (proto's {@link Durations}, the one parser of them); a package of its own so every command of the
 * benchmark tool can use it without a cycle.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.toJava(Durations.parse(value.trim()));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
