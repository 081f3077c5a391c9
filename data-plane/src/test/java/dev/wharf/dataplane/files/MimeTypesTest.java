package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.MissingTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Files get the type nginx would give them; routes can add types and change the default. */
class MimeTypesTest {
  private static final Path NGINX_MIME_TYPES = Path.of("/etc/nginx/mime.types");

  @Test
  void everyExtensionNginxKnowsGetsNginxsType() throws Exception {
    if (!Files.isReadable(NGINX_MIME_TYPES)) {
      MissingTool.missing(
          "nginx is not installed, so there is no " + NGINX_MIME_TYPES + " to compare with");
    }
    Map<String, String> nginx = new TreeMap<>();
    Matcher m =
        Pattern.compile("^\\s*([\\w.+-]+/[\\w.+-]+)\\s+([^;]+);", Pattern.MULTILINE)
            .matcher(Files.readString(NGINX_MIME_TYPES));
    while (m.find()) {
      for (String extension : m.group(2).trim().split("\\s+")) {
        nginx.put(extension, m.group(1));
      }
    }
    Map<String, String> wharf = new TreeMap<>();
    nginx.keySet().forEach(e -> wharf.put(e, MimeTypes.compile(Map.of(), "").of("file." + e)));
    assertEquals(nginx, wharf);
  }

  /**
   * The types a site serves most, checked without nginx installed (the test above needs it); {@code
   * StaticFilesEndToEndTest} shows two of them through a socket, which proves the table is wired.
   */
  @ParameterizedTest
  @CsvSource({
    "file.html, text/html", "file.css, text/css", "file.js, application/javascript",
    "file.mjs, application/javascript", "file.json, application/json", "file.svg, image/svg+xml",
    "file.png, image/png", "file.jpg, image/jpeg", "file.jpeg, image/jpeg",
    "file.gif, image/gif", "file.webp, image/webp", "file.ico, image/x-icon",
    "file.woff, font/woff", "file.woff2, font/woff2", "file.ttf, font/ttf",
    "file.txt, text/plain", "file.TXT, text/plain", "file.xml, text/xml",
    "file.wasm, application/wasm", "file.map, application/json", "file.pdf, application/pdf",
    "file.mp4, video/mp4", "file.webm, video/webm",
  })
  void theBuiltInTableGivesCommonFilesTheirTypes(String file, String type) {
    assertEquals(type, MimeTypes.compile(Map.of(), "").of(file));
  }

  @Test
  void extrasNginxLacksAndRouteOverridesAndTheDefault() {
    MimeTypes standard = MimeTypes.compile(Map.of(), "");
    assertEquals("application/javascript", standard.of("module.mjs"));
    assertEquals("application/manifest+json", standard.of("site.webmanifest"));
    assertEquals("text/html", standard.of("INDEX.HTML"), "extensions in any case");
    assertEquals("application/octet-stream", standard.of("README"));
    assertEquals("application/octet-stream", standard.of(".profile"), "a name, not an extension");

    MimeTypes custom = MimeTypes.compile(Map.of("JS", "text/javascript"), "text/plain");
    assertEquals("text/javascript", custom.of("app.js"));
    assertEquals("text/plain", custom.of("notes.unknown"));
  }
}
