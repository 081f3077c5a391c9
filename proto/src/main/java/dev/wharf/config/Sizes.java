package dev.wharf.config;

import dev.wharf.proto.config.v1.Size;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes sizes as nginx does: a number of bytes, optionally with {@code k}, {@code m} or
 * {@code g} (either case, 1024-based): {@code 512}, {@code 16k}, {@code 80m}, {@code 1g}.
 */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgG]?)");

  private Sizes() {}

  public static Size parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (expected bytes, or a number with k, m or g: 16k, 80m)");
    }
    long multiplier =
        switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          default -> 1L;
        };
    try {
      return Size.newBuilder()
          .setBytes(Math.multiplyExact(Long.parseLong(m.group(1)), multiplier))
          .build();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large a size");
    }
  }

  /** The largest unit that divides the size exactly, as nginx users write it. */
  public static String format(Size size) {
    long bytes = size.getBytes();
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "g";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "m";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "k";
    }
    return Long.toUnsignedString(bytes);
  }
}
