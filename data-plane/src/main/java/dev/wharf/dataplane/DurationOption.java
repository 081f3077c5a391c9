package dev.wharf.dataplane;

import dev.wharf.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * A duration on the command line as config files write them ({@code 5s}, {@code 500ms}, {@code
 * 1m30s}); 0 allowed, negative refused.
 */
public class DurationOption implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      Duration d = Durations.toJava(Durations.parse(value));
      if (d.isNegative()) {
        throw new CommandLine.TypeConversionException("'" + value + "' (expected: >= 0)");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
