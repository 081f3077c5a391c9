package dev.wharf.dataplane.accesslog;

/**
 * Appends a variable's value to a log line, escaped for the line's encoding. Both methods scan for
 * the first character that needs escaping and copy everything before it in one append, so the
 * common value (plain ASCII) costs one pass and no allocation.
 */
final class LogEscapes {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LogEscapes() {}

  /**
   * nginx {@code escape=default}: {@code "}, {@code \}, bytes below 0x20 and bytes from 0x7f up are
   * written as {@code \xHH}. nginx escapes bytes, so a non-ASCII character becomes one {@code \xHH}
   * per byte of its UTF-8 encoding. A lone surrogate (no valid UTF-8) is written as {@code ?}, as
   * Java's UTF-8 encoder would.
   */
  static void appendText(StringBuilder out, String value) {
    int n = value.length();
    int i = 0;
    while (i < n && !textNeedsEscape(value.charAt(i))) {
      i++;
    }
    out.append(value, 0, i);
    for (; i < n; i++) {
      char c = value.charAt(i);
      if (!textNeedsEscape(c)) {
        out.append(c);
      } else if (c < 0x80) {
        appendHexByte(out, c);
      } else if (c < 0x800) {
        appendHexByte(out, 0xC0 | (c >> 6));
        appendHexByte(out, 0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        appendHexByte(out, 0xE0 | (c >> 12));
        appendHexByte(out, 0x80 | ((c >> 6) & 0x3F));
        appendHexByte(out, 0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
        appendHexByte(out, 0xF0 | (cp >> 18));
        appendHexByte(out, 0x80 | ((cp >> 12) & 0x3F));
        appendHexByte(out, 0x80 | ((cp >> 6) & 0x3F));
        appendHexByte(out, 0x80 | (cp & 0x3F));
      } else {
        out.append('?');
      }
    }
  }

  /**
   * A JSON string's contents: {@code "} and {@code \} backslash-escaped, control characters as
   * {@code \}{@code u00XX}; everything else, non-ASCII included, as it is (the writer encodes it as
   * UTF-8).
   */
  static void appendJson(StringBuilder out, String value) {
    int n = value.length();
    int i = 0;
    while (i < n && !jsonNeedsEscape(value.charAt(i))) {
      i++;
    }
    out.append(value, 0, i);
    for (; i < n; i++) {
      char c = value.charAt(i);
      if (!jsonNeedsEscape(c)) {
        out.append(c);
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
  }

  private static boolean textNeedsEscape(char c) {
    return c < 0x20 || c >= 0x7F || c == '"' || c == '\\';
  }

  private static boolean jsonNeedsEscape(char c) {
    return c < 0x20 || c == '"' || c == '\\';
  }

  private static void appendHexByte(StringBuilder out, int b) {
    out.append('\\').append('x').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
  }
}
