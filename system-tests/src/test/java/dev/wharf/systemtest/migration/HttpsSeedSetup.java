package dev.wharf.systemtest.migration;

import dev.wharf.dataplane.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two seeds with HTTPS added (admin-cli's {@code nginx/seeds/*-https}, see the README there)
 * laid out as {@link SeedSetup} lays out the plain one: the test's ports for {@code listen 80} and
 * {@code listen 443 ssl http2}, its backend, its site root, and the certificate and key a user
 * would have put at the seed's {@code ssl_certificate} paths. Every replaced text must be in the
 * seed, so a changed seed fails here instead of silently testing something else.
 */
final class HttpsSeedSetup {
  private static final Path SEEDS =
      Path.of("..", "admin-cli", "src", "test", "resources", "nginx", "seeds");
  static final Path SPA = SEEDS.resolve("000-spa-api-websocket-https/etc/nginx");
  static final Path TENGINE = SEEDS.resolve("001-tengine-websocket-https/home/apps/tengine/conf");

  /** A listen port for plain HTTP and one for HTTPS. */
  record Ports(int http, int https) {}

  private HttpsSeedSetup() {}

  /**
   * The single-page app, its API and its WebSocket on one server listening on both ports; writes
   * {@code etc/nginx/nginx.conf} and {@code conf.d/default.conf} under {@code dir}, returns the
   * main file.
   */
  static Path writeSpa(
      Path dir, Ports ports, String backend, Path siteRoot, TestPki.Issued certificate)
      throws IOException {
    Path etc = dir.resolve("etc").resolve("nginx");
    Files.createDirectories(etc.resolve("conf.d"));
    String main =
        replace(
            Files.readString(SPA.resolve("nginx.conf")),
            "include /etc/nginx/conf.d/*.conf;",
            "include " + etc.resolve("conf.d").toAbsolutePath() + "/*.conf;");
    String site = Files.readString(SPA.resolve("conf.d").resolve("default.conf"));
    site = replace(site, "listen 80;", "listen 127.0.0.1:" + ports.http() + ";");
    site =
        replace(site, "listen 443 ssl http2;", "listen 127.0.0.1:" + ports.https() + " ssl http2;");
    site = replace(site, "/etc/nginx/ssl/site.crt", absolute(certificate.certificate()));
    site = replace(site, "/etc/nginx/ssl/site.key", absolute(certificate.key()));
    site = replace(site, "192.168.1.173:10020", backend);
    site = replace(site, "root /usr/share/nginx/html;", "root " + siteRoot.toAbsolutePath() + ";");
    Files.writeString(etc.resolve("nginx.conf"), main);
    Files.writeString(etc.resolve("conf.d").resolve("default.conf"), site);
    Files.copy(SeedSetup.MIME_TYPES, etc.resolve("mime.types"));
    return etc.resolve("nginx.conf");
  }

  /**
   * The Tengine WebSocket proxy: a port-80 server that only redirects to HTTPS and a {@code 443
   * ssl} server with the WebSocket location; writes {@code conf/nginx.conf} and {@code
   * conf/test.com} under {@code root}, returns the main file.
   */
  static Path writeTengine(Path root, Ports ports, String backend, TestPki.Issued certificate)
      throws IOException {
    Path conf = root.resolve("conf");
    Files.createDirectories(conf);
    String main = Files.readString(TENGINE.resolve("nginx.conf"));
    main = replace(main, "user apps apps;", ""); // no such user here; root's workers run as nobody
    main = replace(main, "/dev/shm/temp", root.resolve("temp").toAbsolutePath().toString());
    main = replace(main, "/dev/shm/cache", root.resolve("cache").toAbsolutePath().toString());
    main =
        replace(
            main,
            "include /home/apps/tengine/conf/test.com;",
            "include " + conf.resolve("test.com").toAbsolutePath() + ";");
    String site = Files.readString(TENGINE.resolve("test.com"));
    site = replace(site, "listen       80;", "listen 127.0.0.1:" + ports.http() + ";");
    site =
        replace(
            site,
            "listen       443 ssl http2;",
            "listen 127.0.0.1:" + ports.https() + " ssl http2;");
    site =
        replace(
            site, "/home/apps/tengine/conf/ssl/test.com.crt", absolute(certificate.certificate()));
    site = replace(site, "/home/apps/tengine/conf/ssl/test.com.key", absolute(certificate.key()));
    site = replace(site, "192.168.1.5:9000", backend);
    Files.writeString(conf.resolve("nginx.conf"), main);
    Files.writeString(conf.resolve("test.com"), site);
    Files.copy(SeedSetup.MIME_TYPES, conf.resolve("mime.types"));
    return conf.resolve("nginx.conf");
  }

  /**
   * The app's build output for the browser: an index whose script renders the page, sets its title,
   * and opens a WebSocket to the seed's {@code /capture} on the page's own host (so {@code wss://}
   * when the page came over HTTPS), recording the echo in {@code <body data-ws>}. Also a
   * stylesheet, a nested page and an image, each large enough for the seed's {@code gzip}.
   */
  static Path writeSite(Path dir) throws IOException {
    Path root = dir.resolve("html");
    Files.createDirectories(root.resolve("static").resolve("js"));
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(
        root.resolve("index.html"),
        "<!doctype html><html><head><meta charset=utf-8><title>loading</title>"
            + "<link rel=icon href=data:,>"
            + "<link rel=stylesheet href=/static/app.css>"
            + "<script src=/static/js/main.js defer></script></head>"
            + "<body><div id=root></div></body></html>\n"
            + "<!-- the seed's app is a single-page app: every path renders this page -->\n"
                .repeat(5));
    Files.writeString(
        root.resolve("static").resolve("js").resolve("main.js"),
        "// the app's bundle\n".repeat(20)
            + "document.title = 'Seed app';\n"
            + "document.getElementById('root').textContent = 'rendered by main.js';\n"
            + "document.body.dataset.rendered = location.protocol;\n"
            + "var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';\n"
            + "var ws = new WebSocket(scheme + location.host + '/capture?from=page');\n"
            + "ws.onopen = function () { ws.send('hello from the page'); };\n"
            + "ws.onmessage = function (e) {\n"
            + "  document.body.dataset.ws = 'echo: ' + e.data;\n"
            + "  ws.close(1000, 'done');\n"
            + "};\n"
            + "ws.onerror = function () { document.body.dataset.ws = 'error'; };\n");
    Files.writeString(root.resolve("static").resolve("app.css"), "body { margin: 0 }\n".repeat(50));
    Files.writeString(root.resolve("docs").resolve("index.html"), "<p>docs</p>\n");
    Files.write(root.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    return root;
  }

  private static String absolute(Path p) {
    return p.toAbsolutePath().toString();
  }

  private static String replace(String text, String seedText, String replacement) {
    if (!text.contains(seedText)) {
      throw new AssertionError("the seed no longer has \"" + seedText + "\"");
    }
    return text.replace(seedText, replacement);
  }
}
