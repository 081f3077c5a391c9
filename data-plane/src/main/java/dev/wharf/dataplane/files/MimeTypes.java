package dev.wharf.dataplane.files;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code Content-Type} by file extension: a built-in table of the types a web site serves
 * (nginx's {@code mime.types}, brought up to date: {@code text/javascript} for scripts as RFC
 * 9239 says, {@code application/wasm}, the font types), then the route's {@code mime_types},
 * then its {@code default_type}. Like nginx, no {@code charset} is added.
 */
final class MimeTypes {
  /** nginx's default_type. */
  static final String DEFAULT_TYPE = "application/octet-stream";

  private static final Map<String, String> BUILT_IN = Map.ofEntries(
      Map.entry("html", "text/html"),
      Map.entry("htm", "text/html"),
      Map.entry("shtml", "text/html"),
      Map.entry("css", "text/css"),
      Map.entry("js", "text/javascript"),
      Map.entry("mjs", "text/javascript"),
      Map.entry("json", "application/json"),
      Map.entry("map", "application/json"),
      Map.entry("webmanifest", "application/manifest+json"),
      Map.entry("xml", "text/xml"),
      Map.entry("rss", "application/rss+xml"),
      Map.entry("atom", "application/atom+xml"),
      Map.entry("txt", "text/plain"),
      Map.entry("md", "text/markdown"),
      Map.entry("csv", "text/csv"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("svgz", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"),
      Map.entry("avif", "image/avif"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("bmp", "image/bmp"),
      Map.entry("woff", "font/woff"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("ttf", "font/ttf"),
      Map.entry("otf", "font/otf"),
      Map.entry("eot", "application/vnd.ms-fontobject"),
      Map.entry("wasm", "application/wasm"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("zip", "application/zip"),
      Map.entry("gz", "application/gzip"),
      Map.entry("tar", "application/x-tar"),
      Map.entry("mp4", "video/mp4"),
      Map.entry("webm", "video/webm"),
      Map.entry("ogv", "video/ogg"),
      Map.entry("mp3", "audio/mpeg"),
      Map.entry("ogg", "audio/ogg"),
      Map.entry("wav", "audio/wav"),
      Map.entry("m4a", "audio/mp4"));

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
    return new MimeTypes(Map.copyOf(table),
        defaultType.isEmpty() ? DEFAULT_TYPE : defaultType);
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
}
