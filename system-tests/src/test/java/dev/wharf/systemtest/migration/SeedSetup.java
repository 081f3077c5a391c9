package dev.wharf.systemtest.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * The first seed's nginx setup (a single-page app, its API and its WebSocket behind one server)
 * laid out in a directory as on its original machine, with the addresses of this test: the listen
 * port, the backend, the site's root and the include of {@code conf.d}. The same files feed nginx
 * and {@code wharfctl import-nginx}.
 */
final class SeedSetup {
  static final Path SEED =
      Path.of(
          "..",
          "admin-cli",
          "src",
          "test",
          "resources",
          "nginx",
          "seeds",
          "000-spa-api-websocket",
          "etc",
          "nginx");

  /** Debian's nginx ships the MIME table the seed includes. */
  static final Path MIME_TYPES = Path.of("/etc/nginx/mime.types");

  private SeedSetup() {}

  /**
   * Writes {@code etc/nginx/nginx.conf} and {@code etc/nginx/conf.d/default.conf} under {@code
   * dir}; returns the main file.
   */
  static Path write(Path dir, int port, String backend, Path siteRoot) throws IOException {
    Path etc = dir.resolve("etc").resolve("nginx");
    Files.createDirectories(etc.resolve("conf.d"));
    String main =
        Files.readString(SEED.resolve("nginx.conf"))
            .replace(
                "include /etc/nginx/conf.d/*.conf;",
                "include " + etc.resolve("conf.d").toAbsolutePath() + "/*.conf;");
    String site =
        Files.readString(SEED.resolve("conf.d").resolve("default.conf"))
            .replace("listen 80;", "listen 127.0.0.1:" + port + ";")
            .replace("192.168.1.173:10020", backend)
            .replace("root /usr/share/nginx/html;", "root " + siteRoot.toAbsolutePath() + ";");
    Files.writeString(etc.resolve("nginx.conf"), main);
    Files.writeString(etc.resolve("conf.d").resolve("default.conf"), site);
    Files.copy(MIME_TYPES, etc.resolve("mime.types"));
    return etc.resolve("nginx.conf");
  }

  /** The app's build output: an index, scripts, styles, a nested page, an image. */
  static Path writeSite(Path dir) throws IOException {
    Path root = dir.resolve("html");
    Files.createDirectories(root.resolve("static").resolve("js"));
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(
        root.resolve("index.html"),
        "<!doctype html><html><head>"
            + "<script src=/static/js/main.js></script></head><body><div id=root></div>"
            + "</body></html>\n".repeat(20));
    Files.writeString(
        root.resolve("static").resolve("js").resolve("main.js"),
        "console.log('the app');\n".repeat(200));
    Files.writeString(root.resolve("static").resolve("app.css"), "body { margin: 0 }\n".repeat(50));
    Files.writeString(root.resolve("docs").resolve("index.html"), "<p>docs</p>\n");
    Files.write(root.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    return root;
  }

  /** nginx's workers run as an unprivileged user when started as root: let them read. */
  static void makeReadable(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }
}
