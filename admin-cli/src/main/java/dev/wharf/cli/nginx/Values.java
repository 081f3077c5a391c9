package dev.wharf.cli.nginx;

import com.google.protobuf.Duration;
import dev.wharf.config.Sizes;
import dev.wharf.proto.config.v1.Size;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's ways of writing values: times ({@code 5}, {@code 300ms}, {@code 1h30m}, {@code "1h 30m"};
 * a bare number is seconds), sizes ({@code 512}, {@code 16k}, {@code 80m}) and flags ({@code on},
 * {@code off}). Each parser returns empty for text nginx would refuse.
 */
final class Values {
  private static final Pattern TIME_PART = Pattern.compile("(\\d+)(ms|y|M|w|d|h|m|s)?");
  private static final long MINUTE = 60;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private Values() {}

  static Optional<Duration> time(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    long millis = 0;
    try {
      for (String part : s.split("\\s+")) {
        Matcher m = TIME_PART.matcher(part);
        int at = 0;
        while (at < part.length()) {
          if (!m.find(at) || m.start() != at) {
            return Optional.empty();
          }
          boolean unitless = m.group(2) == null;
          if (unitless && m.end() != part.length()) {
            return Optional.empty(); // "30x"
          }
          long n = Long.parseLong(m.group(1));
          millis =
              Math.addExact(millis, Math.multiplyExact(n, unitMillis(unitless ? "s" : m.group(2))));
          at = m.end();
        }
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(
        Duration.newBuilder()
            .setSeconds(millis / 1000)
            .setNanos((int) (millis % 1000) * 1_000_000)
            .build());
  }

  static Optional<Size> size(String text) {
    try {
      return Optional.of(Sizes.parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code on} is true, {@code off} false, anything else empty. */
  static Optional<Boolean> flag(String text) {
    return switch (text) {
      case "on" -> Optional.of(true);
      case "off" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  /** A whole number within {@code [min, max]}. */
  static Optional<Integer> number(String text, int min, int max) {
    if (!text.matches("\\d{1,9}")) {
      return Optional.empty();
    }
    int n = Integer.parseInt(text);
    return n < min || n > max ? Optional.empty() : Optional.of(n);
  }

  private static long unitMillis(String unit) {
    return switch (unit) {
      case "ms" -> 1;
      case "s" -> 1000;
      case "m" -> 1000 * MINUTE;
      case "h" -> 1000 * HOUR;
      case "d" -> 1000 * DAY;
      case "w" -> 1000 * 7 * DAY;
      case "M" -> 1000 * 30 * DAY;
      case "y" -> 1000 * 365 * DAY;
      default -> throw new IllegalArgumentException(unit);
    };
  }
}
