package dev.wharf.dataplane.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * A web site on disk for the static file tests, built under a temporary directory:
 *
 * <pre>
 * DIR/secret.txt                      TOP-SECRET, outside every root
 * DIR/outside/note.txt                outside every root, reached through site/linked-dir
 * DIR/site/index.html, app.js, style.css, data.json, logo.png, readme.txt, big.bin, ...
 * DIR/site/app.js.gz                  app.js compressed, with its own time
 * DIR/site/docs/index.html            a directory with an index
 * DIR/site/empty-dir/                 a directory without one
 * DIR/site/leak.txt -> ../secret.txt  a link out of the root
 * DIR/site/linked-dir -> ../outside   a directory link out of the root
 * DIR/site/inside-link.css -> style.css
 * DIR/site/.env, DIR/site/.well-known/acme-challenge/token    dot files
 * DIR/spa/index.html, DIR/spa/assets/app.js   a single-page app
 * </pre>
 *
 * Every file has the modification time {@link #MODIFIED} (the .gz sibling {@link #GZ_MODIFIED}), so
 * validators are known in advance.
 */
final class TestSite {
  static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");
  static final Instant GZ_MODIFIED = Instant.parse("2026-01-02T03:09:00Z");
  static final String SECRET = "TOP-SECRET";
  static final String INDEX = "<!doctype html><title>home</title>\n";
  static final String DOCS_INDEX = "<!doctype html><title>docs</title>\n";
  static final String SPA_INDEX = "<!doctype html><title>spa</title><div id=app></div>\n";

  /** Over 1 MiB, not a multiple of any buffer size. */
  static final int BIG_SIZE = (1 << 20) + 12_345;

  final Path dir;
  final Path site;
  final Path spa;

  private TestSite(Path dir) {
    this.dir = dir;
    this.site = dir.resolve("site");
    this.spa = dir.resolve("spa");
  }

  static TestSite create(Path dir) {
    TestSite t = new TestSite(dir);
    try {
      t.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return t;
  }

  private void build() throws IOException {
    write(dir.resolve("secret.txt"), SECRET);
    write(dir.resolve("outside/note.txt"), SECRET + " in a directory");
    write(site.resolve("index.html"), INDEX);
    write(site.resolve("app.js"), script());
    write(site.resolve("style.css"), "body { color: #222; }\n".repeat(40));
    write(site.resolve("data.json"), "{\"ok\": true}\n");
    write(site.resolve("readme.txt"), "read me\n");
    write(site.resolve("empty.txt"), "");
    write(site.resolve("docs/index.html"), DOCS_INDEX);
    Files.createDirectories(site.resolve("empty-dir"));
    Files.write(site.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    Files.write(site.resolve("big.bin"), pattern(BIG_SIZE));
    Files.write(site.resolve("app.js.gz"), gzip(Files.readAllBytes(site.resolve("app.js"))));
    Files.createSymbolicLink(site.resolve("leak.txt"), Path.of("../secret.txt"));
    Files.createSymbolicLink(site.resolve("linked-dir"), Path.of("../outside"));
    Files.createSymbolicLink(site.resolve("inside-link.css"), Path.of("style.css"));
    write(site.resolve(".env"), "PASSWORD=" + SECRET + "\n");
    write(site.resolve(".well-known/acme-challenge/token"), "proof\n");
    write(spa.resolve("index.html"), SPA_INDEX);
    write(spa.resolve("assets/app.js"), "console.log('spa');\n");
    try (var files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        if (!Files.isSymbolicLink(p)) {
          Files.setLastModifiedTime(p, FileTime.from(MODIFIED));
        }
      }
    }
    Files.setLastModifiedTime(site.resolve("app.js.gz"), FileTime.from(GZ_MODIFIED));
  }

  /** Creates a file (and its directories) holding {@code text}. */
  static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Some kilobytes of script text: compressible, like real ones. */
  static String script() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      out.append("export function f")
          .append(i)
          .append("(x) { return x * ")
          .append(i)
          .append("; }\n");
    }
    return out.toString();
  }

  /** Byte i is (byte) (i % 251): a dropped or shifted byte shows. */
  static byte[] pattern(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i % 251);
    }
    return bytes;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] data) throws IOException {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
      return in.readAllBytes();
    }
  }

  /** The nginx ETag of a file with this time and size. */
  static String etag(Instant modified, long size) {
    return "\"" + Long.toHexString(modified.getEpochSecond()) + "-" + Long.toHexString(size) + "\"";
  }

  byte[] bytes(String relative) throws IOException {
    return Files.readAllBytes(site.resolve(relative));
  }
}
