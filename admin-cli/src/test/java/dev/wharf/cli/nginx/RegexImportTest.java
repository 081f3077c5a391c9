package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx regexes that RE2 cannot run (PCRE lookaround, backreferences...) are reported with their
 * file and line, as other untranslatable directives are, and the config still validates.
 */
class RegexImportTest {
  private static final String WHY =
      " is not supported: Wharf's regexes run in linear time " + "(RE2 syntax)";

  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void aLocationWhoseRegexRe2CannotRunIsReportedAndGetsNoRoute() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location / { root /srv; }
            location ~ /\\.(?!well-known/) { deny all; }
            location ~* ^/(\\w+)/\\1$ { return 404; }
        }
        """);

    assertEquals(
        List.of(
            "nginx.conf:4: location ~ /\\.(?!well-known/) {...} -- the regex cannot run in Wharf: "
                + "negative lookahead (?!...)"
                + WHY
                + "; no route is made for it (with the 1 "
                + "directive inside)",
            "nginx.conf:5: location ~* ^/(\\w+)/\\1$ {...} -- the regex cannot run in Wharf: "
                + "backreference \\1"
                + WHY
                + "; no route is made for it (with the 1 directive "
                + "inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(1, r.config().getRoutesCount());
  }

  @Test
  void aRewriteWhoseRegexRe2CannotRunIsReported() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            rewrite ^/(?>a|ab)c$ /x permanent;
            location / { root /srv; }
        }
        """);

    assertEquals(
        List.of(
            "nginx.conf:3: rewrite ^/(?>a|ab)c$ /x permanent -- the regex cannot "
                + "run in Wharf: atomic group (?>...)"
                + WHY),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void aServerNameRegexRe2CannotRunIsReportedWithItsReason() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            server_name example.com ~^(?<sub>.+)(?<!www)\\.example\\.com$;
            location / { root /srv; }
        }
        """);

    assertEquals(
        List.of(
            "nginx.conf:3: server_name example.com ~^(?<sub>.+)(?<!www)\\.example"
                + "\\.com$ -- Wharf cannot match the names ~^(?<sub>.+)(?<!www)\\.example\\.com$; "
                + "requests for them go to the default server (~^(?<sub>.+)(?<!www)\\.example\\.com$: "
                + "negative lookbehind (?<!...)"
                + WHY
                + ")"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }
}
