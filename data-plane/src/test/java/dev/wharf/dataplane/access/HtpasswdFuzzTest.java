package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.config.Htpasswd;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The htpasswd parser ({@link Htpasswd}, shared by the data plane and the importer) and the hash
 * checks on any file: no exception; a line is either a user or one problem naming its line, never
 * both; every accepted hash is one {@link Htpasswd#refusal} accepts and {@link PasswordHashes}
 * checks without throwing against any password. bcrypt above cost 6 is parsed but not checked here
 * (cost 16, the largest accepted, takes seconds per check).
 *
 * <p>Input: byte 0 is where the password starts (from the end), the rest up to it is the file.
 */
class HtpasswdFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void anyFileParsesAndEveryAcceptedHashIsCheckedWithoutThrowing(byte[] input) {
    if (input.length < 1) {
      return;
    }
    int passwordLength = Math.min(input[0] & 0x3f, input.length - 1);
    int fileEnd = input.length - passwordLength;
    String text = new String(input, 1, fileEnd - 1, StandardCharsets.UTF_8);
    byte[] password = Arrays.copyOfRange(input, fileEnd, input.length);

    Htpasswd.Parsed parsed = Htpasswd.parse(text);
    long lines = text.split("\r?\n", -1).length;
    assertTrue(
        parsed.users().size() + parsed.problems().size() <= lines, "more verdicts than lines");
    for (String problem : parsed.problems()) {
      assertTrue(problem.matches("(?s)line [0-9]+.*"), () -> "no line named: " + problem);
    }
    for (Map.Entry<String, String> user : parsed.users().entrySet()) {
      String hash = user.getValue();
      assertTrue(user.getKey().indexOf(':') < 0, "a user name holds the separator");
      assertNull(Htpasswd.refusal(hash), "an accepted hash is refused on its own");
      if (hash.startsWith("$2") && Integer.parseInt(hash.substring(4, 6)) > 6) {
        continue;
      }
      boolean matches = PasswordHashes.matches(hash, password);
      assertEquals(matches, PasswordHashes.matches(hash, password.clone()), "not repeatable");
    }
  }
}
