package dev.wharf.dataplane.access;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic} header, as nginx reads it: the scheme in
 * any case, spaces before the base64, the user up to the first {@code :}. Anything else (another
 * scheme, bad base64, no colon, a control character in the user name, an oversized header) is no
 * credentials at all, which the caller answers 401.
 *
 * @param user the user name (no control characters)
 * @param password the password's bytes, as sent (never logged, never kept)
 */
record BasicCredentials(String user, byte[] password) {
  /** Longer headers are not decoded: no htpasswd line needs more, and decoding costs memory. */
  static final int MAX_HEADER = 4096;

  static BasicCredentials parse(String header) {
    if (header == null || header.length() > MAX_HEADER || header.length() < 6) {
      return null;
    }
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String encoded = header.substring(6).strip();
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
      if ((decoded[i] & 0xff) < 0x20 || decoded[i] == 0x7f) {
        return null; // a CR, LF or NUL in a user name is an attack, not a user
      }
    }
    if (colon <= 0) {
      return null;
    }
    return new BasicCredentials(
        new String(decoded, 0, colon, StandardCharsets.UTF_8),
        Arrays.copyOfRange(decoded, colon + 1, decoded.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BasicCredentials c
        && c.user.equals(user)
        && Arrays.equals(c.password, password);
  }

  @Override
  public int hashCode() {
    return user.hashCode();
  }

  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + "]"; // never the password
  }
}
