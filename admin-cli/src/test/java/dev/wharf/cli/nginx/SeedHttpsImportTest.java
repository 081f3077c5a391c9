package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigValidator;
import dev.wharf.config.Http2Options;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds with HTTPS added (src/test/resources/nginx/seeds/README.md): real nginx accepts them
 * ({@code nginx -t}, with a certificate made for the test), and they import into configs that
 * validate, with a TLS listener and exactly these directives reported.
 */
class SeedHttpsImportTest {
  private static final Path SEEDS = Path.of("src", "test", "resources", "nginx", "seeds");

  @TempDir Path dir;

  @Test
  void theSpaApiAndWebSocketSetupOverHttps() throws Exception {
    Path root = SEEDS.resolve("000-spa-api-websocket-https");
    nginxAccepts(root, "etc/nginx/nginx.conf", "/etc/nginx", "etc/nginx/ssl/site");
    NginxImport.Result r =
        NginxImport.read(root.resolve("etc/nginx/nginx.conf"), Optional.of(root));

    assertEquals(List.of(), ConfigValidator.validate(r.config()));
    assertEquals(
        List.of(
            "etc/nginx/conf.d/default.conf:34: keepalive_timeout 0 -- Wharf sets "
                + "keepalive_timeout per listener, not per location"),
        lines(r, root, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), lines(r, root, Kind.CHECK));
    Config c = r.config();
    assertEquals(
        List.of("http", "https"), c.getListenersList().stream().map(Listener::getName).toList());
    assertEquals(
        """
        certificates:
          - certificate_file: /etc/nginx/ssl/site.crt
            key_file: /etc/nginx/ssl/site.key
        sessions:
          cache_size: 40000
          timeout: 1h
        """,
        ConfigDocuments.toYaml(c.getListeners(1).getTls()));
    assertFalse(
        c.getListeners(1).hasHttp2(),
        "listen 443 ssl http2: HTTP/2 as Wharf's default, so nothing to say");
    assertTrue(Http2Options.of(c.getListeners(1)).offered());
    for (Route route : c.getRoutesList()) {
      assertEquals(List.of("http", "https"), route.getListenersList(), route.getName());
    }
  }

  @Test
  void theTengineWebSocketSetupOverHttps() throws Exception {
    Path root = SEEDS.resolve("001-tengine-websocket-https");
    nginxAccepts(
        root,
        "home/apps/tengine/conf/nginx.conf",
        "/home/apps",
        "home/apps/tengine/conf/ssl/test.com");
    NginxImport.Result r =
        NginxImport.read(root.resolve("home/apps/tengine/conf/nginx.conf"), Optional.of(root));

    assertEquals(List.of(), ConfigValidator.validate(r.config()));
    assertEquals(
        List.of(
            "home/apps/tengine/conf/nginx.conf:75: proxy_cache_path /dev/shm/cache "
                + "levels=2:2:2 keys_zone=cache_go:200... -- Wharf does not cache responses"),
        lines(r, root, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "home/apps/tengine/conf/nginx.conf:60: proxy_read_timeout 60 -- nginx "
                + "also closed idle WebSockets after it; Wharf closes them after "
                + "proxy.websocket.idle_timeout (default 1h)",
            "home/apps/tengine/conf/test.com:21: ssl_ciphers HIGH:!aNULL:!MD5 -- an OpenSSL "
                + "cipher expression, not a list of cipher names: Wharf's default list (Mozilla's "
                + "intermediate profile) applies; list names to choose"),
        lines(r, root, Kind.CHECK));
    Config c = r.config();
    assertEquals("status: 301\n", ConfigDocuments.toYaml(c.getListeners(0).getHttpsRedirect()));
    assertEquals(
        """
        certificates:
          - certificate_file: /home/apps/tengine/conf/ssl/test.com.crt
            key_file: /home/apps/tengine/conf/ssl/test.com.key
            server_names:
              - test.com
        prefer_server_ciphers: true
        sessions:
          cache_size: 4000
          timeout: 5m
        """,
        ConfigDocuments.toYaml(c.getListeners(1).getTls()));
    assertTrue(Http2Options.of(c.getListeners(1)).offered(), "listen 443 ssl http2");
    assertEquals(
        List.of("test.com-websocket"), c.getRoutesList().stream().map(Route::getName).toList());
    assertEquals(List.of("https"), c.getRoutes(0).getListenersList());
  }

  /**
   * Copies the seed below the test's directory, its absolute paths ({@code prefix}) moved there,
   * makes the certificate and key it names ({@code certificate}.crt/.key), and runs {@code nginx
   * -t} on it. The {@code user} directive is commented out, as the user need not exist here.
   */
  private void nginxAccepts(Path seed, String conf, String prefix, String certificate) {
    Path copy = dir.resolve("nginx");
    try (Stream<Path> files = Files.walk(seed)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path target = copy.resolve(seed.relativize(f).toString());
        Files.createDirectories(target.getParent());
        String text = Files.readString(f).replace(prefix, copy + prefix);
        Files.writeString(target, text.replaceAll("(?m)^user ", "#user "));
      }
      Path confFile = copy.resolve(conf);
      Files.writeString(confFile.resolveSibling("mime.types"), "types {}\n");
      Files.createDirectories(confFile.getParent().resolveSibling("logs"));
      Path cert = copy.resolve(certificate + ".crt");
      Files.createDirectories(cert.getParent());
      run(
          "openssl",
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-subj",
          "/CN=test.com",
          "-days",
          "2",
          "-keyout",
          copy.resolve(certificate + ".key").toString(),
          "-out",
          cert.toString());
      run(
          "nginx",
          "-t",
          "-p",
          confFile.getParent().getParent() + "/",
          "-c",
          confFile.toString(),
          "-e",
          "stderr");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(String... command) {
    if (!Files.isExecutable(Path.of("/usr/bin", command[0]))
        && !Files.isExecutable(Path.of("/usr/sbin", command[0]))) {
      MissingTool.missing(command[0] + " is not installed");
    }
    CommandRunner.Result r = CommandRunner.run(Duration.ofSeconds(60), List.of(command));
    assertEquals(0, r.exitCode(), r.toString());
  }

  private static List<String> lines(NginxImport.Result r, Path root, Kind kind) {
    return new ImportReport(r.findings())
        .lines(kind).stream().map(l -> l.replace(root + "/", "")).toList();
  }
}
