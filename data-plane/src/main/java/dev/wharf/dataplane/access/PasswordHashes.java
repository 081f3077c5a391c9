package dev.wharf.dataplane.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Checks a password against an htpasswd hash that {@link dev.wharf.config.Htpasswd} accepted:
 * bcrypt, apr1 or SHA1. Every comparison is {@link MessageDigest#isEqual}, whose time does not
 * depend on where the bytes differ. Stateless and thread-safe.
 */
final class PasswordHashes {
  private PasswordHashes() {}

  static boolean matches(String hash, byte[] password) {
    if (hash.startsWith("$2")) {
      return BCrypt.matches(hash, password);
    }
    if (hash.startsWith("$apr1$")) {
      return Apr1.matches(hash, password);
    }
    if (hash.startsWith("{SHA}")) {
      byte[] expected = hash.substring(5).getBytes(StandardCharsets.US_ASCII);
      byte[] actual = Base64.getEncoder().encode(digest("SHA-1").digest(password));
      return MessageDigest.isEqual(expected, actual);
    }
    return false; // refused when the file was read; never here
  }

  /** Whether checking {@code hash} costs enough CPU that it must not run on an event loop. */
  static boolean slow(String hash) {
    return hash.startsWith("$2");
  }

  static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has " + name, e);
    }
  }
}
