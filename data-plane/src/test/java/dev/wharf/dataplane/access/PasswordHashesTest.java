package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Htpasswd;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordHashesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bcryptHashesMadeByLibxcryptAreVerifiedForEachPrefix() {
    // made by python3's crypt (libxcrypt) on this machine: password, hash
    String[][] vectors = {
      {"secret", "$2b$04$rPiErEQa2qdd8XYqiMt5Hev1Ru4qmOl4fJTPuiuDIgyrui2cTXxGi"},
      {"", "$2b$04$Om8TJUljbNiqGW0KaB7m/O99.tnySmmVJePV.FoCAYhoRmilEN7nu"},
      {"pässwörd", "$2b$04$vYdjttIX.g9nazAhoMOKROkAHFfnfrcGrZwowwbltR0WZj5zyVWRq"},
      {"a".repeat(80), "$2b$04$YQS24azN.bDDi9zx3fOJ4eG.O5R/vdYE00xQD0LUvthbmzXnMLYnS"},
    };
    for (String[] v : vectors) {
      for (String prefix : List.of("$2b$", "$2y$", "$2a$")) {
        String hash = prefix + v[1].substring(4);
        assertNull(Htpasswd.refusal(hash));
        assertTrue(PasswordHashes.matches(hash, utf8(v[0])), hash);
        assertFalse(PasswordHashes.matches(hash, utf8("x" + v[0])));
      }
    }
    // bcrypt reads 72 bytes of a password: nginx (libxcrypt) accepts a longer one with that prefix
    assertTrue(PasswordHashes.matches(vectors[3][1], utf8("a".repeat(72) + "zzz")));
    assertFalse(PasswordHashes.matches(vectors[3][1], utf8("a".repeat(71))));
  }

  @Test
  void bcryptAgreesWithLibxcryptOnFreshHashes() {
    String python =
        "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))";
    CommandRunner.Result made =
        run(List.of("python3", "-W", "ignore", "-c", python, "correct horse"));
    String hash = made.stdout().strip();
    assertTrue(hash.startsWith("$2b$05$"), hash);
    assertTrue(PasswordHashes.matches(hash, utf8("correct horse")));
    assertFalse(PasswordHashes.matches(hash, utf8("correct horsf")));
    assertEquals(
        hash, BCrypt.hash(utf8("correct horse"), BCrypt.decode(hash.substring(7, 29), 16), 5));
  }

  @Test
  void apr1HashesMadeByOpensslAreVerified() {
    for (String password : List.of("secret", "", "pässwörd", "x".repeat(40))) {
      String hash =
          run(List.of("openssl", "passwd", "-apr1", "-salt", "sAlT1234", password))
              .stdout()
              .strip();
      assertNull(Htpasswd.refusal(hash));
      assertTrue(PasswordHashes.matches(hash, utf8(password)), hash);
      assertFalse(PasswordHashes.matches(hash, utf8(password + "!")));
    }
    assertTrue(PasswordHashes.matches("$apr1$sAlT1234$mTR3kJvaUqLN49hZ/5Ro2.", utf8("secret")));
    assertTrue(PasswordHashes.matches("$apr1$x$tMwYqBfQwi3FYAr0aJc8M/", utf8("")));
  }

  @Test
  void sha1HashesAreVerified() {
    assertTrue(PasswordHashes.matches("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", utf8("secret")));
    assertFalse(PasswordHashes.matches("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", utf8("Secret")));
  }

  @Test
  void onlyBcryptIsSlowEnoughToLeaveTheEventLoop() {
    assertTrue(PasswordHashes.slow("$2y$10$" + "a".repeat(53)));
    assertFalse(PasswordHashes.slow("$apr1$x$tMwYqBfQwi3FYAr0aJc8M/"));
    assertFalse(PasswordHashes.slow("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="));
  }

  private static CommandRunner.Result run(List<String> command) {
    MissingTool.require(command.get(0));
    CommandRunner.Result result = CommandRunner.run(TIMEOUT, command);
    assertEquals(0, result.exitCode(), result.toString());
    return result;
  }
}
