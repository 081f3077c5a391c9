package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.H2Node.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.CommandRunner;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static files and response compression over HTTP/2 as over HTTP/1.1 ({@code
 * StaticFilesEndToEndTest}, {@code StaticConditionalsTest}, {@code CompressionEndToEndTest}): a
 * large file, ranges, validators, HEAD, gzip of files and of proxied responses.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2FilesAndCompressionParityTest {
  static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");
  static final String LAST_MODIFIED = "Fri, 02 Jan 2026 03:04:05 GMT";
  static final int BIG = 3 * 1024 * 1024 + 777;

  @TempDir static Path dir;
  static TestBackend backend;
  static H2Node h2;
  static byte[] big;
  static String page;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    Path site = Files.createDirectories(dir.resolve("site"));
    big = new byte[BIG];
    new Random(5).nextBytes(big);
    Files.write(site.resolve("big.bin"), big);
    page = "<!doctype html><title>page</title>\n" + "<p>hello over h2</p>\n".repeat(200);
    Files.writeString(site.resolve("page.html"), page);
    for (String name : new String[] {"big.bin", "page.html"}) {
      Files.setLastModifiedTime(site.resolve(name), FileTime.from(MODIFIED));
    }
    h2 =
        H2Node.start(
            dir,
            ", compression: {enabled: true, min_length: 100, types: [text/html,"
                + " application/octet-stream]}",
            """
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app, rewrite: {regex: "^/api(/.*)", replacement: $1}}
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%s"}
        """
                .formatted(backend.endpoint(), site));
  }

  @AfterAll
  static void stop() {
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** curl --http2 printing the head, the body to {@code out} (removed first: a 304 writes none). */
  private CommandRunner.Result get(Path out, String... args) {
    try {
      Files.deleteIfExists(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String[] all =
        Arrays.copyOf(new String[] {"--http2", "-D", "-", "-o", out.toString()}, 5 + args.length);
    System.arraycopy(args, 0, all, 5, args.length);
    return h2.curl(all);
  }

  private static String lower(CommandRunner.Result r) {
    return r.stdout().toLowerCase(Locale.ROOT);
  }

  @Test
  void aLargeFileArrivesWholeWithItsValidators() throws Exception {
    Path out = dir.resolve("big.out");
    CommandRunner.Result r = get(out, h2.https("/big.bin"));
    assertTrue(r.stdout().startsWith("HTTP/2 200"), r.toString());
    assertTrue(lower(r).contains("content-length: " + BIG + "\r\n"), r.stdout());
    assertTrue(
        lower(r).contains("last-modified: " + LAST_MODIFIED.toLowerCase(Locale.ROOT)), r.stdout());
    assertArrayEquals(big, Files.readAllBytes(out));
  }

  @Test
  void aRangeIs206WithThoseBytesAndSeveralRangesGetTheWholeFile() throws Exception {
    Path out = dir.resolve("range.out");
    CommandRunner.Result r = get(out, "-r", "1000-1999", h2.https("/big.bin"));
    assertTrue(r.stdout().startsWith("HTTP/2 206"), r.toString());
    assertTrue(lower(r).contains("content-range: bytes 1000-1999/" + BIG + "\r\n"), r.stdout());
    assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), Files.readAllBytes(out));

    CommandRunner.Result several = get(out, "-r", "0-9,100-109", h2.https("/big.bin"));
    assertTrue(several.stdout().startsWith("HTTP/2 200"), several.toString());
    assertArrayEquals(big, Files.readAllBytes(out), "never multipart, as on HTTP/1.1");
  }

  @Test
  void conditionalRequestsAre304WithoutABody() throws Exception {
    Path out = dir.resolve("cond.out");
    CommandRunner.Result first = get(out, h2.https("/page.html"));
    String etag =
        first
            .stdout()
            .lines()
            .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("etag:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(first.stdout()))
            .substring(5)
            .trim();

    CommandRunner.Result byTag = get(out, "-H", "If-None-Match: " + etag, h2.https("/page.html"));
    assertTrue(byTag.stdout().startsWith("HTTP/2 304"), byTag.toString());
    assertTrue(!Files.exists(out) || Files.size(out) == 0, "no body");

    CommandRunner.Result byDate =
        get(out, "-H", "If-Modified-Since: " + LAST_MODIFIED, h2.https("/page.html"));
    assertTrue(byDate.stdout().startsWith("HTTP/2 304"), byDate.toString());
    assertTrue(!Files.exists(out) || Files.size(out) == 0, "no body");
  }

  @Test
  void headGetsTheHeadAndNoBody() {
    CommandRunner.Result r = H2Node.nghttp("-v", "-H", ":method: HEAD", h2.h2c("/big.bin"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains(":status: 200"), r.stdout());
    assertTrue(r.stdout().contains("content-length: " + BIG), r.stdout());
    assertTrue(!r.stdout().contains("recv DATA frame <length=1"), "no DATA: " + r.stdout());
  }

  @Test
  void staticAndProxiedResponsesAreGzippedWhenAsked() throws Exception {
    Path out = dir.resolve("gz.out");
    CommandRunner.Result file = get(out, "-H", "Accept-Encoding: gzip", h2.https("/page.html"));
    assertTrue(file.stdout().startsWith("HTTP/2 200"), file.toString());
    assertTrue(lower(file).contains("content-encoding: gzip\r\n"), file.stdout());
    assertEquals(page, gunzip(Files.readAllBytes(out)));

    CommandRunner.Result proxied =
        get(
            out,
            "-H",
            "Accept-Encoding: gzip",
            h2.h2c("/api/bytes/5000"),
            "--http2-prior-knowledge");
    assertTrue(proxied.stdout().startsWith("HTTP/2 200"), proxied.toString());
    assertTrue(lower(proxied).contains("content-encoding: gzip\r\n"), proxied.stdout());
    byte[] body = gunzip(Files.readAllBytes(out)).getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(5000, body.length);
    for (int i = 0; i < body.length; i++) {
      assertEquals((byte) (i % 251), body[i], "byte " + i);
    }
    assertEquals("/bytes/5000", backend.takeRequest(WAIT).uri());
  }

  private static String gunzip(byte[] gz) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      byte[] plain = in.readAllBytes();
      return new String(
          plain,
          plain.length > 0 && plain[0] == '<'
              ? StandardCharsets.UTF_8
              : StandardCharsets.ISO_8859_1);
    }
  }
}
