package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proto.config.v1.Config;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DocumentMetadataTest {
  private static final String ROUTES =
      """
      routes:
        - name: api
          listeners: [web]
          match: {path: {prefix: /api}}
          proxy: {upstream: app}
      """;

  private static final String WHOLE =
      """
      listeners:
        - name: web
          port: 8080
      upstreams:
        - name: app
          endpoints: [{address: "127.0.0.1:9000"}]
      """
          + ROUTES;

  @Test
  void theVersionWrittenWithAConfigIsReadBackAndIsNotPartOfTheConfig() throws Exception {
    Config config = ConfigDocuments.load(WHOLE, "w.yaml");

    String yaml = ConfigDocuments.toYaml(config, 10);
    String json = ConfigDocuments.toJson(config, 10);

    assertEquals("metadata:\n  version: 10\n", yaml.substring(0, yaml.indexOf("listeners:")));
    assertEquals(
        new ConfigDocuments.Document(config, 10), ConfigDocuments.loadDocument(yaml, "y", true));
    assertEquals(
        new ConfigDocuments.Document(config, 10), ConfigDocuments.loadDocument(json, "j", true));
    // A node or standalone loading the file takes the config and leaves the version.
    assertEquals(config, ConfigDocuments.load(yaml, "y"));
  }

  @Test
  void aDocumentWithoutMetadataHasNoVersion() throws Exception {
    assertEquals(0, ConfigDocuments.loadDocument(WHOLE, "w.yaml", true).version());
    assertEquals(0, ConfigDocuments.loadDocument("metadata:\n" + WHOLE, "w", true).version());
  }

  @Test
  void aPartOfAConfigMayReferToObjectsItDoesNotHoldButItsObjectsAreStillChecked() {
    var part = assertDoesNotThrowValue(() -> ConfigDocuments.loadDocument(ROUTES, "r.yaml", false));
    assertEquals(1, part.config().getRoutesCount());

    ConfigException whole =
        assertThrows(ConfigException.class, () -> ConfigDocuments.loadDocument(ROUTES, "r", true));
    assertEquals("routes[0].listeners[0]", whole.errors().get(0).path());

    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigDocuments.loadDocument(
                    ROUTES.replace("prefix: /api", "prefix: api"), "r", false));
    assertEquals(List.of("routes[0].match.path.prefix"), paths(bad));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "metadata: {version: 0}|metadata.version|'0' is not a config version",
        "metadata: {version: -3}|metadata.version|'-3' is not a config version",
        "metadata: {version: 1.5}|metadata.version|'1.5' is not a config version",
        "metadata: {version: abc}|metadata.version|'abc' is not a config version",
        "metadata: {version: 0x10}|metadata.version|'0x10' is not a config version",
        "metadata: {version: 99999999999999999999}|metadata.version|'99999999999999999999' is not",
        "metadata: {version: [1]}|metadata.version|expected a positive whole number",
        "metadata: {version: 1, owner: me}|metadata.owner|unknown field (expected: version)",
        "metadata: {version: 1, version: 2}|metadata.version|given twice",
        "metadata: 12|metadata|expected a mapping of version",
        "metadata: [1]|metadata|expected a mapping of version",
      })
  void badMetadataIsRefusedWithTheFieldAndTheReason(String line, String path, String reason) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigDocuments.loadDocument(line + "\n" + WHOLE, "m.yaml", true));

    assertEquals(List.of(path), paths(e));
    ConfigError error = e.errors().get(0);
    assertEquals(1, error.line());
    assertEquals(true, error.message().startsWith(reason), error.message());
  }

  @Test
  void metadataGivenTwiceIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigDocuments.loadDocument(
                    "metadata: {version: 1}\n" + WHOLE + "metadata: {version: 2}\n", "m", true));
    assertEquals(List.of("metadata"), paths(e));
    assertEquals("given twice", e.errors().get(0).message());
  }

  private static List<String> paths(ConfigException e) {
    return e.errors().stream().map(ConfigError::path).toList();
  }

  private static <T> T assertDoesNotThrowValue(ThrowingSupplier<T> s) {
    try {
      return s.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @FunctionalInterface
  private interface ThrowingSupplier<T> {
    T get() throws Exception;
  }
}
