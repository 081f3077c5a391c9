package dev.wharf.dataplane.files;

import static dev.wharf.dataplane.testing.Http.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Static routes served by a real node from a real directory, as the JDK's HTTP client and raw
 * sockets see them: root and alias, index, nginx's directory redirect, try_files with an SPA
 * fallback, content types, HEAD, methods, keep-alive, and the access log.
 */
@ExtendWith(NettyLeakExtension.class)
class StaticFilesEndToEndTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);

  @TempDir static Path dir;
  private static TestSite site;
  private static TestNode node;
  private static InetSocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    site = TestSite.create(dir);
    for (String extension : List.of("css", "TXT", "xyz")) {
      TestSite.write(site.site.resolve("types/file." + extension), "x");
    }
    TestSite.write(site.site.resolve("types/no-extension"), "x");
    node = TestNode.builder().clock(CLOCK).start(ports -> config(ports.next(), ""));
    address = node.address("web");
  }

  /** The routes of these tests; {@code listenerExtra} is added to the listener. */
  private static String config(int port, String listenerExtra) {
    return """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d%3$s}
        routes:
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%2$s/site", mime_types: {xyz: application/x-custom}}
            response_headers: {set: [{name: Cache-Control, value: "max-age=60"}]}
          - name: favicon
            match: {path: {exact: /favicon.ico}}
            static: {alias: "%2$s/site/logo.png"}
          - name: manual
            match: {path: {prefix: /manual/}}
            static: {alias: "%2$s/site/docs/"}
          - name: spa
            match: {path: {prefix: /spa/}}
            static: {root: "%2$s", try_files: [$uri, $uri/, /spa/index.html]}
          - name: strict
            match: {path: {prefix: /strict/}}
            static: {alias: "%2$s/site/", try_files: [$uri, "=418"]}
          - name: typed
            match: {path: {prefix: /typed/}}
            static: {alias: "%2$s/site/types/", default_type: "text/plain; charset=utf-8"}
          - name: thumbs
            match: {path: {regex: "^/thumb/(.+)$"}}
            static: {root: "%2$s/site", try_files: [/docs/$1, "=404"]}
          - name: precompressed
            match: {path: {prefix: /pre/}}
            static: {alias: "%2$s/site/", precompressed: true}
        """
        .formatted(port, dir, listenerExtra);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return Http.getBytes(node.uri("web", path), headers);
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aFileUnderTheRootIsServedWithItsTypeLengthAndValidators() throws Exception {
    HttpResponse<byte[]> r = get("/app.js");

    assertEquals(200, r.statusCode());
    assertArrayEquals(site.bytes("app.js"), r.body());
    assertEquals("application/javascript", header(r, "content-type"));
    assertEquals(Long.toString(r.body().length), header(r, "content-length"));
    assertEquals(TestSite.etag(TestSite.MODIFIED, r.body().length), header(r, "etag"));
    assertEquals("Fri, 02 Jan 2026 03:04:05 GMT", header(r, "last-modified"));
    assertEquals("bytes", header(r, "accept-ranges"));
    assertEquals("Sat, 21 Nov 2026 10:15:30 GMT", header(r, "date"));
    assertEquals("wharf", header(r, "server"));
    assertEquals("max-age=60", header(r, "cache-control"), "the route's header rules apply");
  }

  @Test
  void aFileOfAMegabyteArrivesByteForByte() throws Exception {
    HttpResponse<byte[]> r = get("/big.bin");

    assertEquals(200, r.statusCode());
    assertEquals(TestSite.BIG_SIZE, r.body().length);
    assertArrayEquals(site.bytes("big.bin"), r.body());
    assertEquals("application/octet-stream", header(r, "content-type"));
  }

  @Test
  void anEmptyFileIsAnEmpty200() throws Exception {
    HttpResponse<byte[]> r = get("/empty.txt");

    assertEquals(200, r.statusCode());
    assertEquals("0", header(r, "content-length"));
    assertEquals(0, r.body().length);
  }

  @Test
  void theRootServesItsIndex() throws Exception {
    HttpResponse<byte[]> r = get("/");

    assertEquals(200, r.statusCode());
    assertEquals(TestSite.INDEX, text(r));
    assertEquals("text/html", header(r, "content-type"));
  }

  @Test
  void aDirectoryWithItsSlashServesItsIndex() throws Exception {
    HttpResponse<byte[]> r = get("/docs/");

    assertEquals(200, r.statusCode());
    assertEquals(TestSite.DOCS_INDEX, text(r));
  }

  @Test
  void aDirectoryWithoutItsSlashIsRedirectedToIt() throws Exception {
    HttpResponse<byte[]> r = get("/docs?lang=en");

    assertEquals(301, r.statusCode());
    assertEquals("/docs/?lang=en", header(r, "location"), "relative, with the arguments");
  }

  @Test
  void aRedirectPercentEncodesThePathAgain() throws Exception {
    Files.createDirectories(site.site.resolve("two words"));

    HttpResponse<byte[]> r = get("/two%20words");

    assertEquals(301, r.statusCode());
    assertEquals("/two%20words/", header(r, "location"));
  }

  @Test
  void aDirectoryWithoutAnIndexIsForbiddenAsNginxAnswersWithoutAutoindex() throws Exception {
    assertEquals(403, get("/empty-dir/").statusCode());
  }

  @Test
  void dotFilesAreServedAsNginxServesThem() throws Exception {
    HttpResponse<byte[]> r = get("/.env");

    assertEquals(200, r.statusCode(), "hide them with a route: docs/configuration.md");
    assertEquals("PASSWORD=" + TestSite.SECRET + "\n", text(r));
  }

  @Test
  void aMissingFileIs404() throws Exception {
    HttpResponse<byte[]> r = get("/missing.html");

    assertEquals(404, r.statusCode());
    assertEquals("404 Not Found\n", text(r));
  }

  @Test
  void aFileAskedForAsADirectoryIs404() throws Exception {
    assertEquals(404, get("/index.html/").statusCode());
  }

  @Test
  void anAliasReplacesTheMatchedPrefix() throws Exception {
    HttpResponse<byte[]> file = get("/manual/index.html");
    HttpResponse<byte[]> index = get("/manual/");

    assertEquals(TestSite.DOCS_INDEX, text(file));
    assertEquals(TestSite.DOCS_INDEX, text(index));
  }

  @Test
  void anAliasOfAnExactMatchCanNameAFile() throws Exception {
    HttpResponse<byte[]> r = get("/favicon.ico");

    assertEquals(200, r.statusCode());
    assertArrayEquals(site.bytes("logo.png"), r.body());
    assertEquals("image/png", header(r, "content-type"), "the type is the file's, not the URI's");
  }

  @Test
  void tryFilesServesAnExistingFile() throws Exception {
    HttpResponse<byte[]> r = get("/spa/assets/app.js");

    assertEquals(200, r.statusCode());
    assertEquals("console.log('spa');\n", text(r));
  }

  @Test
  void tryFilesSlashEntryServesADirectorysIndexOrRedirectsToAddTheSlashAsNginxDoes()
      throws Exception {
    HttpResponse<byte[]> withSlash = get("/spa/");
    HttpResponse<byte[]> withoutSlash = get("/spa/assets");
    HttpResponse<byte[]> noIndex = get("/spa/assets/");

    assertEquals(TestSite.SPA_INDEX, text(withSlash));
    assertEquals(301, withoutSlash.statusCode(), "$uri/ named a directory without its slash");
    assertEquals("/spa/assets/", header(withoutSlash, "location"));
    assertEquals(403, noIndex.statusCode(), "a directory without an index");
  }

  @Test
  void tryFilesFallsBackToTheAppForAClientSideRoute() throws Exception {
    HttpResponse<byte[]> r = get("/spa/users/42/settings?tab=2");

    assertEquals(200, r.statusCode());
    assertEquals(TestSite.SPA_INDEX, text(r));
    assertEquals("text/html", header(r, "content-type"));
  }

  @Test
  void tryFilesEntriesMayUseTheRouteRegexGroups() throws Exception {
    assertEquals(TestSite.DOCS_INDEX, text(get("/thumb/index.html")));
    assertEquals(404, get("/thumb/missing.png").statusCode());
  }

  @Test
  void tryFilesEndingWithAStatusAnswersIt() throws Exception {
    assertEquals(200, get("/strict/readme.txt").statusCode());
    assertEquals(418, get("/strict/nothing-here").statusCode());
  }

  @Test
  void aPrecompressedSiblingIsServedToAClientThatAcceptsGzip() throws Exception {
    byte[] gz = site.bytes("app.js.gz");

    HttpResponse<byte[]> r = get("/pre/app.js", "Accept-Encoding", "deflate, gzip");

    assertEquals(200, r.statusCode());
    assertArrayEquals(gz, r.body());
    assertEquals("gzip", header(r, "content-encoding"));
    assertEquals("application/javascript", header(r, "content-type"), "the type of app.js");
    assertEquals(TestSite.etag(TestSite.GZ_MODIFIED, gz.length), header(r, "etag"));
    assertEquals("Fri, 02 Jan 2026 03:09:00 GMT", header(r, "last-modified"));
    assertEquals("Accept-Encoding", header(r, "vary"));
    assertArrayEquals(site.bytes("app.js"), TestSite.gunzip(r.body()));
  }

  @Test
  void thePlainFileIsServedWhenGzipIsNotAccepted() throws Exception {
    for (String[] headers :
        List.of(new String[0], new String[] {"Accept-Encoding", "gzip;q=0, deflate"})) {
      HttpResponse<byte[]> r = get("/pre/app.js", headers);

      assertArrayEquals(site.bytes("app.js"), r.body());
      assertEquals(null, header(r, "content-encoding"));
      assertEquals(TestSite.etag(TestSite.MODIFIED, r.body().length), header(r, "etag"));
      assertEquals("Accept-Encoding", header(r, "vary"), "a cache must keep both apart");
    }
  }

  @Test
  void aFileWithoutASiblingDoesNotVary() throws Exception {
    HttpResponse<byte[]> r = get("/pre/style.css", "Accept-Encoding", "gzip");

    assertEquals(null, header(r, "content-encoding"));
    assertEquals(null, header(r, "vary"));
    assertArrayEquals(site.bytes("style.css"), r.body());
  }

  @Test
  void aRangeOfAPrecompressedSiblingIsARangeOfItsBytes() throws Exception {
    byte[] gz = site.bytes("app.js.gz");

    HttpResponse<byte[]> r = get("/pre/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-9");

    assertEquals(206, r.statusCode());
    assertEquals("gzip", header(r, "content-encoding"));
    assertEquals("bytes 0-9/" + gz.length, header(r, "content-range"));
    assertArrayEquals(java.util.Arrays.copyOf(gz, 10), r.body());
  }

  // The wiring only: MimeTypesTest checks the whole table (every extension) without sockets.
  @ParameterizedTest
  @CsvSource({"file.css, text/css", "file.TXT, text/plain"})
  void contentTypesComeFromTheBuiltInTable(String file, String type) throws Exception {
    HttpResponse<byte[]> r = get("/types/" + file);

    assertEquals(200, r.statusCode());
    assertEquals(type, header(r, "content-type"));
  }

  @Test
  void routeMimeTypesAddToTheTableAndDefaultTypeCoversTheRest() throws Exception {
    assertEquals("application/x-custom", header(get("/types/file.xyz"), "content-type"));
    assertEquals("application/octet-stream", header(get("/types/no-extension"), "content-type"));
    assertEquals("text/plain; charset=utf-8", header(get("/typed/no-extension"), "content-type"));
  }

  @Test
  void headSendsTheHeadersOfGetWithoutTheBody() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response head = http.exchange("HEAD /style.css HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response next = http.exchange("GET /readme.txt HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(200, head.status());
      assertEquals(
          Long.toString(site.bytes("style.css").length), head.headers().get("content-length"));
      assertEquals("text/css", head.headers().get("content-type"));
      assertEquals(
          TestSite.etag(TestSite.MODIFIED, site.bytes("style.css").length),
          head.headers().get("etag"));
      assertEquals("read me\n", next.body(), "a HEAD body would have shifted this one");
    }
  }

  @Test
  void otherMethodsAre405WithAllow() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response post =
          http.exchange(
              "POST /index.html HTTP/1.1\r\nHost: a\r\n" + "Content-Length: 5\r\n\r\nhello");
      RawHttp.Response next = http.exchange("GET /readme.txt HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(405, post.status());
      assertEquals("GET, HEAD", post.headers().get("allow"));
      assertEquals("read me\n", next.body(), "the body was read and dropped; keep-alive goes on");
    }
  }

  @Test
  void oneConnectionServesFilesErrorsAndRedirectsInTurn() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      List<Integer> statuses = new java.util.ArrayList<>();
      for (String path :
          List.of(
              "/readme.txt",
              "/missing",
              "/docs",
              "/big.bin",
              "/docs/",
              "/empty.txt",
              "/readme.txt")) {
        RawHttp.Response r = http.exchange("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
        statuses.add(r.status());
      }

      assertEquals(List.of(200, 404, 301, 200, 200, 200, 200), statuses);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      http.send(
          "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /readme.txt HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /data.json HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(
          Integer.toString(TestSite.BIG_SIZE), http.read(false).headers().get("content-length"));
      assertEquals("read me\n", http.read(false).body());
      assertEquals("{\"ok\": true}\n", http.read(false).body());
    }
  }

  @Test
  void theAccessLogAndTheMetricsCountStaticResponses() throws Exception {
    Path log = dir.resolve("access.json");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TestNode logged =
        TestNode.builder()
            .clock(CLOCK)
            .registry(registry)
            .start(
                ports ->
                    config(
                        ports.next(),
                        ", access_log: {path: \""
                            + log
                            + "\", encoding: json, fields: [request, status, body_bytes_sent]}"));
    try {
      try (RawHttp http = new RawHttp(logged.address("web"))) {
        http.exchange("GET /readme.txt HTTP/1.1\r\nHost: a\r\n\r\n");
        http.exchange("GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9\r\n\r\n");
        http.exchange("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n");
      }
    } finally {
      logged.close(); // flushes the log
    }

    assertEquals(
        """
        {"request":"GET /readme.txt HTTP/1.1","status":"200","body_bytes_sent":"8"}
        {"request":"GET /big.bin HTTP/1.1","status":"206","body_bytes_sent":"10"}
        {"request":"GET /missing HTTP/1.1","status":"404","body_bytes_sent":"14"}
        """,
        Files.readString(log));
    for (String status : new String[] {"200", "206", "404"}) {
      assertEquals(
          1.0,
          registry.get("wharf.requests").tags("route", "site", "status", status).counter().count(),
          status);
    }
    assertEquals(
        2.0,
        registry
            .get("wharf.requests")
            .tags("route", "site", "status_class", "2xx")
            .counters()
            .stream()
            .mapToDouble(Counter::count)
            .sum());
    assertTrue(registry.get("wharf.request.duration").tags("route", "site").timer().count() == 3);
  }
}
