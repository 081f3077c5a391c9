package dev.wharf.dataplane.files;

import static dev.wharf.dataplane.testing.Http.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.CommandRunner;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validators, conditional requests and ranges on static files, through a real node: the statuses,
 * headers and exact bytes a browser, a cache or a download manager gets.
 */
@ExtendWith(NettyLeakExtension.class)
class StaticConditionalsTest {
  private static final String LAST_MODIFIED = "Fri, 02 Jan 2026 03:04:05 GMT";

  @TempDir static Path dir;
  private static TestSite site;
  private static TestNode node;
  private static InetSocketAddress address;
  private static byte[] big;
  private static String bigEtag;

  @BeforeAll
  static void start() throws Exception {
    site = TestSite.create(dir);
    big = site.bytes("big.bin");
    bigEtag = TestSite.etag(TestSite.MODIFIED, big.length);
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        routes:
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%s/site"}
        """
                    .formatted(ports.next(), dir));
    address = node.address("web");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return Http.getBytes(node.uri("web", path), headers);
  }

  @Test
  void aMatchingIfNoneMatchIs304WithTheValidatorsAndNoBody() throws Exception {
    HttpResponse<byte[]> r = get("/big.bin", "If-None-Match", bigEtag);

    assertEquals(304, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals(bigEtag, header(r, "etag"));
    assertEquals(LAST_MODIFIED, header(r, "last-modified"));
  }

  @Test
  void ifNoneMatchComparesWeaklyAndReadsLists() throws Exception {
    assertEquals(304, get("/big.bin", "If-None-Match", "W/" + bigEtag).statusCode());
    assertEquals(304, get("/big.bin", "If-None-Match", "\"other\", " + bigEtag).statusCode());
    assertEquals(304, get("/big.bin", "If-None-Match", "*").statusCode());
    assertEquals(200, get("/big.bin", "If-None-Match", "\"other\"").statusCode());
  }

  @Test
  void ifNoneMatchWinsOverIfModifiedSince() throws Exception {
    HttpResponse<byte[]> r =
        get("/big.bin", "If-None-Match", "\"stale\"", "If-Modified-Since", LAST_MODIFIED);

    assertEquals(200, r.statusCode(), "the tag differs, so the date is not looked at");
    assertArrayEquals(big, r.body());
  }

  @Test
  void ifModifiedSinceIs304WhenTheFileIsNotNewer() throws Exception {
    assertEquals(304, get("/big.bin", "If-Modified-Since", LAST_MODIFIED).statusCode());
    assertEquals(
        304, get("/big.bin", "If-Modified-Since", "Sat, 03 Jan 2026 00:00:00 GMT").statusCode());
    assertEquals(
        200, get("/big.bin", "If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT").statusCode());
    assertEquals(
        200,
        get("/big.bin", "If-Modified-Since", "yesterday").statusCode(),
        "a date that does not parse is ignored");
  }

  @Test
  void ifMatchAndIfUnmodifiedSinceThatFailAre412() throws Exception {
    assertEquals(412, get("/big.bin", "If-Match", "\"other\"").statusCode());
    assertEquals(
        412,
        get("/big.bin", "If-Match", "W/" + bigEtag).statusCode(),
        "If-Match compares strongly");
    assertEquals(200, get("/big.bin", "If-Match", bigEtag).statusCode());
    assertEquals(
        412, get("/big.bin", "If-Unmodified-Since", "Thu, 01 Jan 2026 00:00:00 GMT").statusCode());
  }

  @Test
  void aSingleRangeIs206WithExactlyThoseBytes() throws Exception {
    HttpResponse<byte[]> r = get("/big.bin", "Range", "bytes=1000-1999");

    assertEquals(206, r.statusCode());
    assertEquals("bytes 1000-1999/" + big.length, header(r, "content-range"));
    assertEquals("1000", header(r, "content-length"));
    assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), r.body());
    assertEquals(bigEtag, header(r, "etag"));
  }

  @Test
  void openAndSuffixRangesCountFromTheEnd() throws Exception {
    HttpResponse<byte[]> open = get("/big.bin", "Range", "bytes=" + (big.length - 10) + "-");
    HttpResponse<byte[]> suffix = get("/big.bin", "Range", "bytes=-7");
    HttpResponse<byte[]> past = get("/big.bin", "Range", "bytes=0-99999999");

    assertArrayEquals(Arrays.copyOfRange(big, big.length - 10, big.length), open.body());
    assertEquals(
        "bytes " + (big.length - 7) + "-" + (big.length - 1) + "/" + big.length,
        header(suffix, "content-range"));
    assertArrayEquals(Arrays.copyOfRange(big, big.length - 7, big.length), suffix.body());
    assertEquals(206, past.statusCode(), "a last byte past the end is clamped");
    assertArrayEquals(big, past.body());
  }

  @Test
  void aRangeStartingPastTheEndIs416WithTheSize() throws Exception {
    HttpResponse<byte[]> r = get("/big.bin", "Range", "bytes=" + big.length + "-");

    assertEquals(416, r.statusCode());
    assertEquals("bytes */" + big.length, header(r, "content-range"));
    assertEquals(416, get("/empty.txt", "Range", "bytes=0-").statusCode());
  }

  @Test
  void severalRangesGetTheWholeFile() throws Exception {
    HttpResponse<byte[]> r = get("/big.bin", "Range", "bytes=0-9,20-29");

    assertEquals(200, r.statusCode());
    assertNull(header(r, "content-range"));
    assertArrayEquals(big, r.body());
  }

  @Test
  void aRangeThatDoesNotParseIsIgnored() throws Exception {
    for (String range : List.of("bytes=abc", "bytes=9-1", "lines=1-2", "bytes=")) {
      HttpResponse<byte[]> r = get("/readme.txt", "Range", range);

      assertEquals(200, r.statusCode(), range);
      assertEquals("read me\n", new String(r.body()), range);
    }
  }

  @Test
  void ifRangeKeepsTheRangeOnlyWhileTheFileIsTheSame() throws Exception {
    HttpResponse<byte[]> sameTag = get("/big.bin", "Range", "bytes=0-9", "If-Range", bigEtag);
    HttpResponse<byte[]> sameDate =
        get("/big.bin", "Range", "bytes=0-9", "If-Range", LAST_MODIFIED);
    HttpResponse<byte[]> otherTag =
        get("/big.bin", "Range", "bytes=0-9", "If-Range", "\"changed\"");
    HttpResponse<byte[]> weakTag =
        get("/big.bin", "Range", "bytes=0-9", "If-Range", "W/" + bigEtag);

    assertEquals(206, sameTag.statusCode());
    assertEquals(206, sameDate.statusCode());
    assertEquals(200, otherTag.statusCode());
    assertArrayEquals(big, otherTag.body(), "a changed file is sent whole");
    assertEquals(200, weakTag.statusCode(), "If-Range compares strongly");
  }

  @Test
  void aChangedFileGetsNewValidators() throws Exception {
    Path file = TestSite.write(site.site.resolve("changing.txt"), "one");
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(TestSite.MODIFIED));
    String before = header(get("/changing.txt"), "etag");

    Files.writeString(file, "three");
    HttpResponse<byte[]> r = get("/changing.txt", "If-None-Match", before);

    assertEquals(200, r.statusCode());
    assertEquals("three", new String(r.body()));
    assertTrue(!before.equals(header(r, "etag")), before + " vs " + header(r, "etag"));
  }

  @Test
  void headWithRangeIsAnsweredAsAPlainHead() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r =
          http.exchange("HEAD /big.bin HTTP/1.1\r\nHost: a\r\n" + "Range: bytes=0-9\r\n\r\n");

      assertEquals(200, r.status());
      assertEquals(Integer.toString(big.length), r.headers().get("content-length"));
    }
  }

  @Test
  void curlResumesADownloadWithARange() throws Exception {
    Path out = dir.resolve("part.bin");
    Files.write(out, Arrays.copyOfRange(big, 0, 300_000));

    CommandRunner.Result curl =
        CommandRunner.run(
            Duration.ofSeconds(10),
            List.of(
                "curl",
                "-sS",
                "-C",
                "-",
                "-o",
                out.toString(),
                "http://127.0.0.1:" + address.getPort() + "/big.bin"));

    assertEquals(0, curl.exitCode(), curl.toString());
    assertArrayEquals(big, Files.readAllBytes(out), "curl -C - asked for the rest only");
  }
}
