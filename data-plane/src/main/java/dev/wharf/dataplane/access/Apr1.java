package dev.wharf.dataplane.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Apache's apr1 password hash ({@code $apr1$salt$hash}): Poul-Henning Kamp's MD5-crypt with the
 * magic {@code $apr1$}, 1,000 rounds of MD5 mixing password, salt and the previous digest, the
 * result in crypt's little-endian radix-64. Written from the algorithm's description. Cheap (about
 * 1,000 MD5 blocks), stateless and thread-safe.
 */
final class Apr1 {
  private static final String ALPHABET =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final byte[] MAGIC = "$apr1$".getBytes(StandardCharsets.US_ASCII);

  private Apr1() {}

  /** Whether {@code password} hashes to {@code hash}, compared in time independent of content. */
  static boolean matches(String hash, byte[] password) {
    int end = hash.indexOf('$', MAGIC.length);
    byte[] salt = hash.substring(MAGIC.length, end).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = hash.getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(
        expected, hash(password, salt).getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(byte[] password, byte[] salt) {
    MessageDigest md5 = md5();
    md5.update(password);
    md5.update(salt);
    md5.update(password);
    byte[] alternate = md5.digest();
    md5.update(password);
    md5.update(MAGIC);
    md5.update(salt);
    for (int left = password.length; left > 0; left -= 16) {
      md5.update(alternate, 0, Math.min(left, 16));
    }
    for (int i = password.length; i != 0; i >>>= 1) {
      if ((i & 1) != 0) {
        md5.update((byte) 0);
      } else {
        md5.update(password[0]);
      }
    }
    byte[] digest = md5.digest();
    for (int round = 0; round < 1000; round++) {
      md5.update((round & 1) != 0 ? password : digest);
      if (round % 3 != 0) {
        md5.update(salt);
      }
      if (round % 7 != 0) {
        md5.update(password);
      }
      md5.update((round & 1) != 0 ? digest : password);
      digest = md5.digest();
    }
    StringBuilder out = new StringBuilder("$apr1$");
    out.append(new String(salt, StandardCharsets.US_ASCII)).append('$');
    int[][] groups = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
    for (int[] g : groups) {
      append(out, (b(digest, g[0]) << 16) | (b(digest, g[1]) << 8) | b(digest, g[2]), 4);
    }
    append(out, b(digest, 11), 2);
    return out.toString();
  }

  private static int b(byte[] digest, int i) {
    return digest[i] & 0xff;
  }

  private static void append(StringBuilder out, int value, int chars) {
    for (int i = 0; i < chars; i++) {
      out.append(ALPHABET.charAt(value & 0x3f));
      value >>>= 6;
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has MD5", e);
    }
  }
}
