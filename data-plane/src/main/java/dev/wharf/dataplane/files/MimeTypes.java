package dev.wharf.dataplane.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code Content-Type} by file extension: a built-in table ({@code mime-types.txt} beside this
 * class: the types nginx's {@code mime.types} gives, so a site moved from nginx is served with the
 * same types, plus a few nginx lacks, such as {@code mjs} and {@code webmanifest}), then the
 * route's {@code mime_types}, then its {@code default_type}. Like nginx, no {@code charset} is
 * added.
 */
final class MimeTypes {
  /** nginx's default_type. */
  static final String DEFAULT_TYPE = "application/octet-stream";

  static final Map<String, String> BUILT_IN = load("mime-types.txt");

  /** What most routes use, shared rather than copied per route (10,000 routes, one table). */
  private static final MimeTypes STANDARD = new MimeTypes(BUILT_IN, DEFAULT_TYPE);

  private final Map<String, String> byExtension;
  private final String defaultType;

  private MimeTypes(Map<String, String> byExtension, String defaultType) {
    this.byExtension = byExtension;
    this.defaultType = defaultType;
  }

  /** The built-in table with {@code overrides} (extension without its dot, any case) on top. */
  static MimeTypes compile(Map<String, String> overrides, String defaultType) {
    if (overrides.isEmpty() && defaultType.isEmpty()) {
      return STANDARD;
    }
    Map<String, String> table = new HashMap<>(BUILT_IN);
    overrides.forEach((extension, type) -> table.put(extension.toLowerCase(Locale.ROOT), type));
    return new MimeTypes(Map.copyOf(table), defaultType.isEmpty() ? DEFAULT_TYPE : defaultType);
  }

  /** The type of a file named {@code fileName}, by what follows its last dot. */
  String of(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot <= 0 || dot == fileName.length() - 1) {
      return defaultType; // no extension; ".profile" is a name, not an extension
    }
    String type = byExtension.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    return type != null ? type : defaultType;
  }

  /** Reads {@code extension type} lines; {@code #} starts a comment, {@code +} marks an extra. */
  private static Map<String, String> load(String resource) {
    try (InputStream in = MimeTypes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      Map<String, String> table = new HashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] fields = line.strip().split("\\s+");
        if (fields.length >= 2 && !fields[0].startsWith("#")) {
          table.put(fields[0], fields[1]);
        }
      }
      return Map.copyOf(table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
