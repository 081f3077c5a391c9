package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.config.ConfigValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code wharfctl import-nginx} on any text: a result (whose config the validator can judge) or a
 * syntax error naming the file and line ({@code nginx.conf:12: reason}); no other exception, and no
 * {@link StackOverflowError} however deep the blocks nest. Includes are confined to a fresh
 * directory (the include root), so the fuzzer can only include what is not there.
 */
class NginxImportFuzzTest {
  private static final Path DIR = tempDir();

  @FuzzTest(maxDuration = "60s")
  void anyTextImportsOrIsASyntaxErrorWithFileAndLine(byte[] input) throws IOException {
    Path file = Files.write(DIR.resolve("nginx.conf"), input);
    try {
      NginxImport.Result result = NginxImport.read(file, Optional.of(DIR));
      assertNotNull(ConfigValidator.validate(result.config()));
    } catch (NginxSyntaxException e) {
      String prefix = file + ":";
      assertTrue(
          e.getMessage().startsWith(prefix) && e.getMessage().matches("(?s).*?:[0-9]+: .+"),
          () -> "not 'file:line: reason': " + e.getMessage());
    }
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("nginx-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
