package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user file replaced by one of the same size and modification time (a password rotated with a
 * hash of the same length, then moved into place by a tool that keeps times: {@code cp -p}, {@code
 * rsync -t}, a configuration manager) is a new file and is read: the rotated password gets in and
 * the old one no longer does.
 */
class UserFileSwapTest {
  @TempDir Path dir;

  private static String sha(String password) throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
    return "{SHA}" + Base64.getEncoder().encodeToString(digest);
  }

  @Test
  void aSwappedFileOfTheSameSizeAndTimeIsReadAgain() throws Exception {
    Path users = dir.resolve("users");
    FileTime time = FileTime.fromMillis(1_700_000_000_000L);
    Files.writeString(users, "u:" + sha("old-password") + "\n");
    Files.setLastModifiedTime(users, time);
    UserFile file = new UserFile(users);
    file.readIfChanged();
    assertEquals(Set.of("u"), file.users().keySet());
    String oldHash = file.users().get("u");

    Path next = dir.resolve("users.new");
    Files.writeString(next, "u:" + sha("new-password") + "\n");
    Files.setLastModifiedTime(next, time);
    assertEquals(Files.size(users), Files.size(next), "the same size, as the attack needs");
    Files.move(next, users, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    file.readIfChanged();

    String hash = file.users().get("u");
    assertEquals(
        sha("new-password"), hash, "the swapped file was not read (still " + oldHash + ")");
    assertEquals(
        true, PasswordHashes.matches(hash, "new-password".getBytes(StandardCharsets.UTF_8)));
  }
}
