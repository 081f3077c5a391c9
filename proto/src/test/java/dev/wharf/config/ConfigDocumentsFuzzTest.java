package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.proto.config.v1.Config;
import java.nio.charset.StandardCharsets;

/**
 * Any text given to the config reader (YAML or JSON, through {@link LimitedParser} and {@link
 * MessageReader}) ends as a config or as a {@link ConfigException} whose errors each say why: no
 * other exception, and no {@link StackOverflowError} however deep the nesting. Regression mode runs
 * the inputs in {@code ConfigDocumentsFuzzTestInputs/}; {@code -Pfuzz} fuzzes.
 */
class ConfigDocumentsFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void anyTextIsAConfigOrAConfigErrorWithAReason(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(text, "fuzz.yaml");
    assertNotNull(parsed.config());
    parsed.errors().forEach(ConfigDocumentsFuzzTest::assertHasReason);
    try {
      Config config = ConfigDocuments.load(text, "fuzz.yaml");
      assertEquals(config, ConfigDocuments.parse(text, "fuzz.yaml").config());
    } catch (ConfigException e) {
      assertFalse(e.errors().isEmpty());
      e.errors().forEach(ConfigDocumentsFuzzTest::assertHasReason);
    }
    try {
      // A part of a config, as apply reads one, with its metadata.
      ConfigDocuments.Document part = ConfigDocuments.loadDocument(text, "fuzz.yaml", false);
      assertFalse(part.version() < 0);
    } catch (ConfigException e) {
      assertFalse(e.errors().isEmpty());
      e.errors().forEach(ConfigDocumentsFuzzTest::assertHasReason);
    }
  }

  private static void assertHasReason(ConfigError error) {
    assertFalse(error.message().isBlank(), () -> "an error without a reason: " + error);
  }
}
