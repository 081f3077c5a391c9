package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wharfctl import-nginx as a user runs it: what it prints, writes, and exits with. */
class ImportNginxCommandTest {
  private static final String SITE =
      """
      server {
          listen 8080;
          location /api/ {
              proxy_pass http://127.0.0.1:9000/;
              limit_req zone=api;
          }
      }
      """;

  @TempDir Path dir;
  private Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dir);
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void printsTheDocumentWithTheReportOnTopAndTheSameListOnStderr() throws IOException {
    Path conf = write("nginx.conf", SITE);

    Result r = cli.run("import-nginx", conf.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(
        """
        # Imported from CONF by wharfctl import-nginx.
        # Read the lists below, then check the result with `wharfctl validate -f`.
        #
        # 1 directive not translated (nothing below does what it asks):
        #   CONF:5: limit_req zone=api -- no limit_req_zone named 'api' was translated
        #
        # 0 directives translated with a difference to check by hand.
        #
        # 0 directives not needed by Wharf.

        listeners:
          - name: http-8080
            port: 8080
        upstreams:
          - name: 127.0.0.1-9000
            endpoints:
              - address: 127.0.0.1:9000
        routes:
          - name: api
            match:
              path:
                prefix: /api/
            proxy:
              upstream: 127.0.0.1-9000
              rewrite:
                regex: ^/api/(.*)
                replacement: /$1
              location_rewrites:
                - prefix: http://127.0.0.1:9000/
                  replacement: /api/
            request_headers:
              set:
                - name: Host
                  value: 127.0.0.1:9000
            slash_redirect: true
        """
            .replace("CONF", conf.toString()),
        r.out());
    assertEquals(
        """
        warning: 1 directive not translated:
          CONF:5: limit_req zone=api -- no limit_req_zone named 'api' was translated
        imported CONF: 1 listener, 1 upstream (1 endpoint), 1 route; directives: 1 not \
        translated, 0 to check, 0 not needed
        """
            .replace("CONF", conf.toString()),
        r.err());
  }

  @Test
  void outputGoesToTheFileWhichValidatesAndNoTemporaryFileIsLeft() throws IOException {
    Path conf = write("nginx.conf", SITE);
    Path out = write("wharf.yaml", "an older document\n");

    Result r = cli.run("import-nginx", conf.toString(), "-o", out.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().endsWith("; written to " + out + "\n"), r.err());
    assertEquals(cli.run("import-nginx", conf.toString()).out(), Files.readString(out));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("nginx.conf", "wharf.yaml"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Result validate = cli.run("validate", "-f", out.toString());
    assertEquals(0, validate.exitCode(), validate.toString());
  }

  @Test
  void aSyntaxErrorIsOneLineWithFileAndLineAndExitOne() throws IOException {
    Path conf = write("nginx.conf", "http {\n  server {\n    listen 80\n  }\n}\n");

    Result r = cli.run("import-nginx", conf.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("", r.out());
    assertEquals("error: " + conf + ":3: missing ';' after 'listen 80'\n", r.err());
  }

  @Test
  void aMissingIncludeIsAnErrorAtItsLine() throws IOException {
    Path conf = write("nginx.conf", "http {\n  include sites/app.conf;\n}\n");

    Result r = cli.run("import-nginx", conf.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: "
            + conf
            + ":2: include 'sites/app.conf': no such file (looked for "
            + dir.resolve("sites/app.conf")
            + ")\n",
        r.err());
  }

  @Test
  void aMissingConfigIsAnError() {
    Result r = cli.run("import-nginx", dir.resolve("nope.conf").toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("error: " + dir.resolve("nope.conf") + ": no such file\n", r.err());
  }

  @Test
  void strictRefusesToWriteWhenADirectiveIsNotTranslated() throws IOException {
    Path conf = write("nginx.conf", SITE);
    Path out = dir.resolve("wharf.yaml");

    Result r = cli.run("import-nginx", conf.toString(), "--strict", "-o", out.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .endsWith("error: --strict: 1 directive is not translated; nothing is " + "written\n"),
        r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void aResultThatDoesNotValidateIsNotWrittenAndSaysWhereItCameFrom() throws IOException {
    // nginx ignores the second server ("conflicting server name"); Wharf refuses the duplicate.
    Path conf =
        write(
            "nginx.conf",
            """
        http {
            server { listen 80; server_name a.example; location / { return 200 one; } }
            server { listen 80; server_name a.example; location / { return 200 two; } }
        }
        """);
    Path out = dir.resolve("wharf.yaml");

    Result r = cli.run("import-nginx", conf.toString(), "-o", out.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        """
        error: the imported config does not validate (1 error); nothing is written
          route a.example-root-2: routes[1].match: matches the same requests as routes[0] \
        ('a.example-root'), which comes first, so this route would never be used (from CONF:3)
        """
            .replace("CONF", conf.toString()),
        r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void theHttpsSeedsImportIntoFilesThatWharfctlValidateAccepts() {
    Path seeds = Path.of("src/test/resources/nginx/seeds");
    for (String seed :
        List.of(
            "000-spa-api-websocket-https/etc/nginx/nginx.conf",
            "001-tengine-websocket-https/home/apps/tengine/conf/nginx.conf")) {
      Path root = seeds.resolve(seed.substring(0, seed.indexOf('/')));
      Path out = dir.resolve(root.getFileName() + ".yaml");

      Result r =
          cli.run(
              "import-nginx",
              seeds.resolve(seed).toString(),
              "--include-root",
              root.toString(),
              "-o",
              out.toString());

      assertEquals(0, r.exitCode(), r.toString());
      Result validate = cli.run("validate", "-f", out.toString());
      assertEquals(0, validate.exitCode(), validate.toString());
    }
  }

  @Test
  void absoluteIncludesAreReadBelowTheIncludeRoot() {
    Path root = Path.of("src/test/resources/nginx/seeds/001-tengine-websocket");

    Result r =
        cli.run(
            "import-nginx",
            root.resolve("home/apps/tengine/conf/nginx.conf").toString(),
            "--include-root",
            root.toString());

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("  - name: test.com\n"), r.out());
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
