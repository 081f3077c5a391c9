package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicCredentialsTest {
  @TempDir Path dir;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theUserEndsAtTheFirstColonAndThePasswordKeepsItsBytes() {
    BasicCredentials c = BasicCredentials.parse("Basic " + b64("ann:pa:ss wörd"));
    assertEquals("ann", c.user());
    assertArrayEquals("pa:ss wörd".getBytes(StandardCharsets.UTF_8), c.password());
    assertFalse(c.toString().contains("pa:ss"), "the password is never printed");
    assertEquals("ann", BasicCredentials.parse("bAsIc    " + b64("ann:x")).user());
  }

  @Test
  void hostileHeadersAreNoCredentials() {
    assertNull(BasicCredentials.parse(null));
    assertNull(BasicCredentials.parse("Basic"));
    assertNull(BasicCredentials.parse("Basic !!!"));
    assertNull(BasicCredentials.parse("Basic " + b64("nocolon")));
    assertNull(BasicCredentials.parse("Basic " + b64(":empty-user")));
    assertNull(BasicCredentials.parse("Basic " + b64("ann\r\nX-Evil: 1:pw")));
    assertNull(BasicCredentials.parse("Basic " + b64("ann\0:pw")));
    assertNull(BasicCredentials.parse("Digest " + b64("ann:pw")));
    assertNull(BasicCredentials.parse("Basic " + "QUFB".repeat(16 * 1024))); // 64 KiB
  }

  @Test
  void theCacheKeyDependsOnUserPasswordAndHashAndHoldsNoPassword() {
    VerifiedCache cache = new VerifiedCache(new byte[32]);
    String key = cache.keyOf("ann", "secret".getBytes(StandardCharsets.UTF_8), "$2y$h1");
    assertFalse(key.contains("secret"));
    assertFalse(
        key.equals(cache.keyOf("ann", "secreT".getBytes(StandardCharsets.UTF_8), "$2y$h1")));
    assertFalse(
        key.equals(cache.keyOf("ann", "secret".getBytes(StandardCharsets.UTF_8), "$2y$h2")));
    assertFalse(
        key.equals(
            new VerifiedCache(new byte[] {1})
                .keyOf("ann", "secret".getBytes(StandardCharsets.UTF_8), "$2y$h1")));
    cache.remember(key, 0);
    assertTrue(cache.verified(key, VerifiedCache.TTL_NANOS - 1));
    assertFalse(cache.verified(key, VerifiedCache.TTL_NANOS));
    for (int i = 0; i < VerifiedCache.MAX_ENTRIES + 10; i++) {
      cache.remember("k" + i, 0);
    }
    assertTrue(cache.size() <= VerifiedCache.MAX_ENTRIES, "bounded");
  }

  @Test
  void aGarbledUserFileKeepsTheLastGoodUsers() throws Exception {
    Path file = dir.resolve("htpasswd");
    Files.writeString(file, "ann:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    UserFile users = new UserFile(file);
    users.readIfChanged();
    assertEquals(1, users.users().size());
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n', ':', ':'});
    users.readIfChanged();
    assertEquals(1, users.users().size());
    assertEquals(1, users.failedReads());
    Files.writeString(file, "ann:plaintext\nbob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    users.readIfChanged();
    assertEquals(2, users.failedReads(), "a plain-text line refuses the whole file");
    assertFalse(users.users().containsKey("bob"));
    Files.delete(file);
    users.readIfChanged();
    assertEquals(1, users.users().size());
    UserFile missing = new UserFile(dir.resolve("none"));
    missing.readIfChanged();
    assertNull(missing.users());
  }
}
