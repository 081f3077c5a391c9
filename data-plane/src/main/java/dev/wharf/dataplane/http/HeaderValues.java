package dev.wharf.dataplane.http;

/**
 * Keeps request data from breaking out of a header it is rendered into. A decoded {@code $uri}, a
 * regex capture or an argument can hold any byte, CR and LF included; written raw, they would end
 * the header and start one of the client's choosing. RFC 9110 (5.5) allows no control character but
 * HTAB in a field value, so those are the characters handled here.
 */
public final class HeaderValues {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private HeaderValues() {}

  /** Whether {@code value} can be written as a field value as it is. */
  public static boolean isSafe(String value) {
    return firstUnsafe(value) < 0;
  }

  /**
   * {@code value} with each control character but HTAB percent-encoded ({@code %0D}, {@code %0A},
   * {@code %00}...), the form a client writes them in a URL. Returns {@code value} itself, with no
   * copy, when there is none.
   */
  public static String encodeUnsafe(String value) {
    int i = firstUnsafe(value);
    if (i < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8).append(value, 0, i);
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isUnsafe(c)) {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int firstUnsafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (isUnsafe(value.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isUnsafe(char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F;
  }
}
