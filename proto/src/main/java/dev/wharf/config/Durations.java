package dev.wharf.config;

import com.google.protobuf.Duration;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the human form of durations used in config documents: {@code 500ms}, {@code
 * 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}; also {@code us} and {@code ns} so that every {@link
 * Duration} survives a round trip. A number may have decimals, as Go's and Envoy's durations do:
 * {@code 1.5s}, {@code 0.5m}, {@code .25h}; the result must be whole nanoseconds. A leading {@code
 * -} makes it negative (the validator then says why that is not allowed where it is not).
 *
 * <p>A bare number is refused rather than guessed: nginx reads it as seconds, other tools as
 * milliseconds, and the difference is a thousandfold.
 */
public final class Durations {
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ns|us|ms|s|m|h|d)");

  /** More digits than any duration in range needs: refused before any arithmetic on them. */
  private static final int MAX_DIGITS = 30;

  private static final BigInteger MAX_SECONDS = BigInteger.valueOf(315_576_000_000L);
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private Durations() {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a readable reason. */
  public static Duration parse(String text) {
    String s = text.strip();
    boolean negative = s.startsWith("-");
    if (negative) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration (expected e.g. 30s, 500ms, 5m, 1h30m)");
    }
    if (s.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      throw new IllegalArgumentException(
          "'" + text + "' has no unit (write e.g. " + s + "s or " + s + "ms)");
    }
    Matcher m = PART.matcher(s);
    BigInteger nanos = BigInteger.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)");
      }
      if (m.group(1).length() > MAX_DIGITS) {
        throw new IllegalArgumentException("'" + text + "' is too long a duration");
      }
      BigDecimal part =
          new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2))));
      try {
        nanos = nanos.add(part.toBigIntegerExact());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is finer than a nanosecond, the smallest duration", e);
      }
      at = m.end();
    }
    if (nanos.bitLength() > 100) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(NANOS_PER_SECOND));
    if (qr[0].compareTo(MAX_SECONDS) > 0) { // protobuf Duration's documented range
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    long seconds = qr[0].longValueExact();
    int rest = qr[1].intValue();
    return negative
        ? Duration.newBuilder().setSeconds(-seconds).setNanos(-rest).build()
        : Duration.newBuilder().setSeconds(seconds).setNanos(rest).build();
  }

  /** The shortest human form: {@code 90s} is written {@code 1m30s}, {@code 0.5s} {@code 500ms}. */
  public static String format(Duration d) {
    long seconds = d.getSeconds();
    long nanos = d.getNanos();
    if (seconds == 0 && nanos == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (seconds < 0 || nanos < 0) {
      out.append('-');
      seconds = -seconds;
      nanos = -nanos;
    }
    appendUnit(out, seconds / 86_400, "d");
    appendUnit(out, seconds % 86_400 / 3_600, "h");
    appendUnit(out, seconds % 3_600 / 60, "m");
    appendUnit(out, seconds % 60, "s");
    appendUnit(out, nanos / 1_000_000, "ms");
    appendUnit(out, nanos % 1_000_000 / 1_000, "us");
    appendUnit(out, nanos % 1_000, "ns");
    return out.toString();
  }

  /** For messages: {@code true} when {@code d} is below zero. */
  public static boolean isNegative(Duration d) {
    return d.getSeconds() < 0 || d.getNanos() < 0;
  }

  /** For messages: {@code true} when {@code d} is zero. */
  public static boolean isZero(Duration d) {
    return d.getSeconds() == 0 && d.getNanos() == 0;
  }

  /** Orders two durations as {@link Comparable#compareTo} does. */
  public static int compare(Duration a, Duration b) {
    return toJava(a).compareTo(toJava(b));
  }

  /** Converts to {@link java.time.Duration} for code that runs timers. */
  public static java.time.Duration toJava(Duration d) {
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static void appendUnit(StringBuilder out, long amount, String unit) {
    if (amount != 0) {
      out.append(amount).append(unit);
    }
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> NANOS_PER_SECOND;
      case "m" -> 60 * NANOS_PER_SECOND;
      case "h" -> 3_600 * NANOS_PER_SECOND;
      case "d" -> 86_400 * NANOS_PER_SECOND;
      default -> throw new AssertionError(unit);
    };
  }
}
