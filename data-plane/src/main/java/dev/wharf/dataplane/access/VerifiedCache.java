package dev.wharf.dataplane.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Recently verified credentials, so that a client sending the same bcrypt-checked password on every
 * request costs one bcrypt check per {@link #TTL_NANOS}, not one per request. An entry's key is an
 * HMAC-SHA256, under a key drawn when the node starts and never written anywhere, of the user, the
 * password and the hash it matched: the password itself is never held, an entry cannot be turned
 * back into one offline without the key, and a changed hash in the file misses the cache at once.
 * Only successes are cached. Bounded: at {@link #MAX_ENTRIES} the cache is emptied (a burst of
 * misses costs bcrypt checks, never memory). Thread-safe.
 */
final class VerifiedCache {
  static final long TTL_NANOS = 60_000_000_000L;
  static final int MAX_ENTRIES = 4096;

  private final SecretKeySpec key;
  private final ConcurrentHashMap<String, Long> verifiedAt = new ConcurrentHashMap<>();

  VerifiedCache(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  static VerifiedCache withRandomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new VerifiedCache(key);
  }

  String keyOf(String user, byte[] password, String hash) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(user.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(password);
      mac.update((byte) 0);
      return Base64.getEncoder().encodeToString(mac.doFinal(hash.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always has HmacSHA256", e);
    }
  }

  boolean verified(String key, long nowNanos) {
    Long at = verifiedAt.get(key);
    return at != null && nowNanos - at < TTL_NANOS;
  }

  void remember(String key, long nowNanos) {
    if (verifiedAt.size() >= MAX_ENTRIES) {
      verifiedAt.clear();
    }
    verifiedAt.put(key, nowNanos);
  }

  int size() {
    return verifiedAt.size();
  }
}
