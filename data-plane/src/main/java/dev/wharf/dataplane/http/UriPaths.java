package dev.wharf.dataplane.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the path of a request target into nginx's {@code $uri}: percent-decoded, {@code //} merged,
 * {@code .} and {@code ..} segments resolved. Routes match against this form, so {@code
 * /api/%2e%2e/admin} is matched as {@code /admin}, as nginx does.
 */
public final class UriPaths {
  private UriPaths() {}

  /** Thrown for a path nginx would also answer 400 to. */
  public static final class BadPathException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadPathException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The normalised form of {@code rawPath} (the request target without its query string).
   *
   * @throws BadPathException when it does not start with {@code /}, has a broken percent escape,
   *     decodes to a NUL or invalid UTF-8, or climbs above the root with {@code ..}
   */
  public static String normalize(String rawPath) throws BadPathException {
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new BadPathException("the path must start with '/'");
    }
    return resolveDots(decode(rawPath));
  }

  private static String decode(String raw) throws BadPathException {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        continue;
      }
      if (i + 2 >= raw.length()) {
        throw new BadPathException("a '%' escape is cut short");
      }
      int hi = Character.digit(raw.charAt(i + 1), 16);
      int lo = Character.digit(raw.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        throw new BadPathException(
            "'%" + raw.charAt(i + 1) + raw.charAt(i + 2) + "' is not a percent escape");
      }
      int b = (hi << 4) | lo;
      if (b == 0) {
        throw new BadPathException("the path contains a NUL byte");
      }
      bytes.write(b);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException("the path is not valid UTF-8");
    }
  }

  /** Merges slashes and resolves dot segments; a trailing slash or dot segment keeps a '/'. */
  private static String resolveDots(String path) throws BadPathException {
    if (path.indexOf("//") < 0 && path.indexOf("/.") < 0) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      int next = path.indexOf('/', i + 1);
      int end = next < 0 ? path.length() : next;
      String segment = path.substring(i + 1, end); // without its leading '/'
      boolean last = next < 0;
      if (segment.isEmpty()) {
        if (last) {
          out.append('/');
        }
      } else if (segment.equals(".")) {
        if (last) {
          out.append('/');
        }
      } else if (segment.equals("..")) {
        int cut = out.lastIndexOf("/");
        if (cut < 0) {
          throw new BadPathException("the path climbs above the root");
        }
        out.setLength(cut);
        if (last) {
          out.append('/');
        }
      } else {
        out.append('/').append(segment);
      }
      i = end;
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /**
   * The inverse of decoding for a {@code $uri}: percent-encodes what may not appear raw in a path
   * (RFC 3986 pchar and '/'), as UTF-8. For paths sent on: upstream, or in a Location.
   */
  public static String encode(String path) {
    StringBuilder out = null;
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if (isPathChar(b)) {
        if (out != null) {
          out.append((char) b);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(bytes.length + 16);
        out.append(new String(bytes, 0, i, StandardCharsets.UTF_8));
      }
      out.append('%')
          .append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
          .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }
    return out == null ? path : out.toString();
  }

  private static boolean isPathChar(int b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || "-._~!$&'()*+,;=:@/".indexOf(b) >= 0;
  }
}
