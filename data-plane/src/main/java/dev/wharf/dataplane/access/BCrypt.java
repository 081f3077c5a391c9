package dev.wharf.dataplane.access;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) as Provos and Mazières describe it: the
 * expensive Blowfish key schedule (EksBlowfish) keyed with the password and the salt, then {@code
 * OrpheanBeholderScryDoubt} encrypted 64 times. Written from the paper and the format's
 * description; Blowfish's initial state (the hex digits of pi) is computed once when the class
 * loads rather than pasted as a table.
 *
 * <p>{@code $2a$} is treated as {@code $2b$}: the two differ only for passwords of 255 bytes or
 * more (an old length wrap in OpenBSD), which are refused before they get here. Stateless and
 * thread-safe; a check costs 2^cost key schedules (about 1 ms at cost 4 and 60 ms at cost 10 here),
 * so it never runs on an event loop.
 */
final class BCrypt {
  private static final String ALPHABET =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int[] PI_WORDS = piWords(18 + 4 * 256);
  private static final byte[] MAGIC =
      "OrpheanBeholderScryDoubt".getBytes(StandardCharsets.US_ASCII);

  /** Longest password accepted: longer ones are refused, as the $2a$ bug would make them differ. */
  static final int MAX_PASSWORD = 254;

  private final int[] p = new int[18];
  private final int[] s = new int[1024];

  private BCrypt() {
    System.arraycopy(PI_WORDS, 0, p, 0, 18);
    System.arraycopy(PI_WORDS, 18, s, 0, 1024);
  }

  /**
   * Whether {@code password} hashes to {@code hash}, a well-formed bcrypt hash (as {@link
   * dev.wharf.config.Htpasswd} accepts). The comparison takes the same time wherever it differs.
   */
  static boolean matches(String hash, byte[] password) {
    if (password.length > MAX_PASSWORD) {
      return false;
    }
    int cost = Integer.parseInt(hash.substring(4, 6));
    byte[] salt = decode(hash.substring(7, 29), 16);
    byte[] expected = hash.substring(29).getBytes(StandardCharsets.US_ASCII);
    byte[] actual = encode(raw(password, salt, cost), 23).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, actual);
  }

  /** The hash of {@code password} with {@code salt} (16 bytes) at {@code cost}: for tests. */
  static String hash(byte[] password, byte[] salt, int cost) {
    return String.format("$2b$%02d$", cost)
        + encode(salt, 16)
        + encode(raw(password, salt, cost), 23);
  }

  private static byte[] raw(byte[] password, byte[] salt, int cost) {
    byte[] key = new byte[password.length + 1]; // with its NUL, as C sees it
    System.arraycopy(password, 0, key, 0, password.length);
    BCrypt state = new BCrypt();
    state.expand(key, salt);
    long rounds = 1L << cost;
    for (long i = 0; i < rounds; i++) {
      state.expand(key, null);
      state.expand(salt, null);
    }
    int[] text = new int[6];
    int[] offset = {0};
    for (int i = 0; i < 6; i++) {
      text[i] = word(MAGIC, offset);
    }
    for (int round = 0; round < 64; round++) {
      for (int i = 0; i < 6; i += 2) {
        state.encrypt(text, i);
      }
    }
    byte[] out = new byte[24];
    for (int i = 0; i < 6; i++) {
      out[4 * i] = (byte) (text[i] >>> 24);
      out[4 * i + 1] = (byte) (text[i] >>> 16);
      out[4 * i + 2] = (byte) (text[i] >>> 8);
      out[4 * i + 3] = (byte) text[i];
    }
    return out;
  }

  /** One key schedule: the key into P, then P and S re-encrypted, mixing the salt when given. */
  private void expand(byte[] key, byte[] salt) {
    int[] keyAt = {0};
    for (int i = 0; i < 18; i++) {
      p[i] ^= word(key, keyAt);
    }
    int[] block = {0, 0};
    int[] saltAt = {0};
    for (int i = 0; i < 18; i += 2) {
      mix(block, salt, saltAt);
      p[i] = block[0];
      p[i + 1] = block[1];
    }
    for (int i = 0; i < 1024; i += 2) {
      mix(block, salt, saltAt);
      s[i] = block[0];
      s[i + 1] = block[1];
    }
  }

  private void mix(int[] block, byte[] salt, int[] saltAt) {
    if (salt != null) {
      block[0] ^= word(salt, saltAt);
      block[1] ^= word(salt, saltAt);
    }
    encrypt(block, 0);
  }

  private void encrypt(int[] block, int at) {
    int l = block[at];
    int r = block[at + 1];
    for (int i = 0; i < 16; i += 2) {
      l ^= p[i];
      r ^= f(l);
      r ^= p[i + 1];
      l ^= f(r);
    }
    block[at] = r ^ p[17];
    block[at + 1] = l ^ p[16];
  }

  private int f(int x) {
    return ((s[x >>> 24] + s[256 | ((x >>> 16) & 0xff)]) ^ s[512 | ((x >>> 8) & 0xff)])
        + s[768 | (x & 0xff)];
  }

  /** The next four bytes of {@code data}, taken cyclically, big-endian. */
  private static int word(byte[] data, int[] at) {
    int w = 0;
    for (int i = 0; i < 4; i++) {
      w = (w << 8) | (data[at[0]] & 0xff);
      at[0] = (at[0] + 1) % data.length;
    }
    return w;
  }

  /** bcrypt's radix-64: big-endian bit order, its own alphabet, no padding. */
  static String encode(byte[] data, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i += 3) {
      int b0 = data[i] & 0xff;
      int b1 = i + 1 < length ? data[i + 1] & 0xff : 0;
      int b2 = i + 2 < length ? data[i + 2] & 0xff : 0;
      out.append(ALPHABET.charAt(b0 >>> 2));
      out.append(ALPHABET.charAt(((b0 & 3) << 4) | (b1 >>> 4)));
      if (i + 1 < length) {
        out.append(ALPHABET.charAt(((b1 & 0xf) << 2) | (b2 >>> 6)));
      }
      if (i + 2 < length) {
        out.append(ALPHABET.charAt(b2 & 0x3f));
      }
    }
    return out.toString();
  }

  static byte[] decode(String text, int length) {
    byte[] out = new byte[length];
    long bits = 0;
    int held = 0;
    int n = 0;
    for (int i = 0; i < text.length() && n < length; i++) {
      bits = (bits << 6) | ALPHABET.indexOf(text.charAt(i));
      held += 6;
      if (held >= 8) {
        held -= 8;
        out[n++] = (byte) (bits >>> held);
      }
    }
    return out;
  }

  /**
   * The first {@code count} 32-bit words of pi's fractional part: Blowfish's P-array then its four
   * S-boxes. Machin's formula in fixed point, with guard bits for the truncated series.
   */
  private static int[] piWords(int count) {
    int bits = count * 32 + 64;
    BigInteger one = BigInteger.ONE.shiftLeft(bits);
    BigInteger pi =
        arctanInverse(5, one)
            .shiftLeft(4)
            .subtract(arctanInverse(239, one).shiftLeft(2))
            .shiftRight(64);
    BigInteger fraction = pi.subtract(BigInteger.valueOf(3).shiftLeft(count * 32));
    int[] words = new int[count];
    for (int i = 0; i < count; i++) {
      words[i] = fraction.shiftRight((count - 1 - i) * 32).intValue();
    }
    return words;
  }

  private static BigInteger arctanInverse(int x, BigInteger one) {
    BigInteger xSquared = BigInteger.valueOf((long) x * x);
    BigInteger power = one.divide(BigInteger.valueOf(x));
    BigInteger sum = power;
    for (int n = 3; power.signum() != 0; n += 2) {
      power = power.divide(xSquared);
      BigInteger term = power.divide(BigInteger.valueOf(n));
      sum = (n & 2) != 0 ? sum.subtract(term) : sum.add(term);
    }
    return sum;
  }
}
