package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that try to read outside a static route's root, sent raw so no client tidies them up
 * first. Each must be refused (400 by the path rules, 403 or 404 by the file server) and none may
 * carry the secret file's bytes. Symlinks: followed as nginx does by default, refused with {@code
 * deny_symlinks_outside_root} when they lead out of the root.
 */
@ExtendWith(NettyLeakExtension.class)
class StaticFilesSecurityTest {
  @TempDir static Path dir;
  private static TestNode node;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    TestSite.create(dir);
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d}
        routes:
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%2$s/site"}
          - name: well-known
            match: {path: {prefix_no_regex: /.well-known/}}
            static: {root: "%2$s/site"}
          - name: no-dot-files
            match: {path: {regex: "/\\\\."}}
            respond: {status: 404}
          - name: guarded
            match: {path: {prefix: /guarded/}}
            static: {alias: "%2$s/site/", deny_symlinks_outside_root: true}
          - name: guarded-spa
            match: {path: {prefix: /guarded-spa/}}
            static:
              alias: "%2$s/site/"
              deny_symlinks_outside_root: true
              try_files: [$uri, /index.html]
          - name: images
            match: {path: {prefix: /img}}
            static: {alias: "%2$s/site/docs/"}
          - name: by-argument
            match: {path: {prefix: /pick/}}
            static: {root: "%2$s/site", try_files: [/$arg_f, "=404"]}
        """
                    .formatted(ports.next(), dir));
    address = node.address("web");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static RawHttp.Response get(String rawTarget) throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      return http.exchange("GET " + rawTarget + " HTTP/1.1\r\nHost: a\r\n\r\n");
    }
  }

  private static void assertRefused(int status, String rawTarget) throws IOException {
    RawHttp.Response r = get(rawTarget);

    assertEquals(status, r.status(), rawTarget);
    assertFalse(r.body().contains(TestSite.SECRET), rawTarget + " leaked the secret");
  }

  @Test
  void dotDotAboveTheRootIs400() throws IOException {
    assertRefused(400, "/../secret.txt");
  }

  @Test
  void dotDotBelowARouteThatClimbsAboveTheRootIs400() throws IOException {
    assertRefused(400, "/docs/../../secret.txt");
  }

  @Test
  void percentEncodedDotsAreDecodedBeforeTheyAreResolved() throws IOException {
    assertRefused(400, "/%2e%2e/secret.txt");
    assertRefused(400, "/docs/%2E%2E/%2e%2E/secret.txt");
    assertRefused(400, "/.%2e/secret.txt");
  }

  @Test
  void encodedSlashesDoNotHideDotSegments() throws IOException {
    assertRefused(400, "/..%2fsecret.txt");
    assertRefused(400, "/docs%2f..%2f..%2fsecret.txt");
    assertRefused(400, "/%2e%2e%2f%2e%2e%2fsecret.txt");
  }

  @Test
  void doubleEncodingIsDecodedOnceSoItNamesAFileThatIsNotThere() throws IOException {
    assertRefused(404, "/%252e%252e/secret.txt");
  }

  @Test
  void backslashesAreNotSeparatorsAndNeverReachTheDisk() throws IOException {
    assertRefused(404, "/..\\secret.txt");
    assertRefused(404, "/docs/..%5c..%5csecret.txt");
  }

  @Test
  void aNulByteIs400() throws IOException {
    assertRefused(400, "/secret.txt%00.html");
  }

  @Test
  void aRawNulByteInTheRequestLineIs400() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      http.sendBytes(
          "GET /a\0/../../secret.txt HTTP/1.1\r\nHost: a\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response r = http.read(false);

      assertEquals(400, r.status());
      assertFalse(r.body().contains(TestSite.SECRET));
    }
  }

  @Test
  void anAliasWithoutATrailingSlashInItsPrefixCannotBeClimbedOutOf() throws IOException {
    // nginx's "off-by-slash": location /img { alias .../docs/; } and /img../secret.txt
    assertRefused(404, "/img../secret.txt");
    assertRefused(404, "/img../../secret.txt");
    assertEquals(200, get("/img/index.html").status(), "the alias itself works");
  }

  @Test
  void aTryFilesEntryBuiltFromAnArgumentCannotClimb() throws IOException {
    assertRefused(404, "/pick/x?f=../secret.txt");
    assertRefused(404, "/pick/x?f=docs/../../secret.txt");
    assertEquals(200, get("/pick/x?f=readme.txt").status(), "a file below the root is found");
  }

  @Test
  void theDocumentedRouteHidesDotFilesButNotWellKnown() throws IOException {
    assertRefused(404, "/.env");
    assertRefused(404, "/docs/.env");
    RawHttp.Response acme = get("/.well-known/acme-challenge/token");

    assertEquals(200, acme.status());
    assertEquals("proof\n", acme.body());
  }

  @Test
  void symlinksAreFollowedByDefaultAsNginxDoes() throws IOException {
    RawHttp.Response r = get("/leak.txt");

    assertEquals(200, r.status());
    assertEquals(TestSite.SECRET, r.body(), "disable_symlinks off: the link is followed");
  }

  @Test
  void withDenySymlinksALinkOutOfTheRootIs403() throws IOException {
    assertRefused(403, "/guarded/leak.txt");
  }

  @Test
  void withDenySymlinksADirectoryLinkOutOfTheRootIs403() throws IOException {
    assertRefused(403, "/guarded/linked-dir/note.txt");
  }

  @Test
  void withDenySymlinksALinkInsideTheRootIsServed() throws IOException {
    RawHttp.Response r = get("/guarded/inside-link.css");

    assertEquals(200, r.status());
    assertEquals("text/css", r.headers().get("content-type"));
  }

  @Test
  void withDenySymlinksTryFilesSkipsALinkOutOfTheRoot() throws IOException {
    RawHttp.Response r = get("/guarded-spa/leak.txt");

    assertEquals(200, r.status());
    assertEquals(TestSite.INDEX, r.body(), "the fallback, never the secret");
  }
}
