package dev.wharf.dataplane.compression;

import static dev.wharf.dataplane.testing.Http.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.CommandRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response compression through a real node, for proxied responses (a real backend), static files
 * and respond routes: which responses get compressed and how they are framed, what their headers
 * become, and that every compressed body inflates to exactly the original bytes.
 */
@ExtendWith(NettyLeakExtension.class)
class CompressionEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String HELLO =
      "hello, this body is long enough to be compressed: "
          + "la la la la la la la la la la la la la la la la la la la la la la.\n";

  @TempDir static Path dir;
  private static TestBackend backend;
  private static TestNode node;
  private static InetSocketAddress address;
  private static byte[] largeCss;
  private static byte[] script;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("z");
    Path site = Files.createDirectories(dir.resolve("site"));
    StringBuilder css = new StringBuilder();
    for (int i = 0; css.length() < 300_000; i++) {
      css.append(".rule-").append(i).append(" { margin: ").append(i % 17).append("px; }\n");
    }
    largeCss = css.toString().getBytes(StandardCharsets.UTF_8);
    Files.write(site.resolve("large.css"), largeCss);
    script =
        "export const answer = 42; // a script of some length\n"
            .repeat(30)
            .getBytes(StandardCharsets.UTF_8);
    Files.write(site.resolve("app.js"), script);
    Files.write(site.resolve("app.js.gz"), gzip(script));
    node = TestNode.start(ports -> config(ports.next(), ports.next(), ""));
    address = node.address("web");
  }

  private static String config(int web, int files, String listenerExtra) {
    return """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %1$d
            compression:
              enabled: true
              min_length: 100
              types: [text/css, application/javascript, application/octet-stream]
            %4$s
          - {name: files, address: 127.0.0.1, port: %2$d}
        upstreams:
          - {name: backend, endpoints: [{address: "%3$s"}]}
          - {name: gzip-files, endpoints: [{address: "127.0.0.1:%2$d"}]}
        routes:
          - name: api
            listeners: [web]
            match: {path: {prefix: /api/}}
            proxy: {upstream: backend, rewrite: {regex: "^/api(/.*)", replacement: $1}}
          - name: level9
            listeners: [web]
            match: {path: {prefix: /level9/}}
            proxy: {upstream: backend, rewrite: {regex: "^/level9(/.*)", replacement: $1}}
            compression: {enabled: true, level: 9, types: [application/octet-stream]}
          - name: direct-only
            listeners: [web]
            match: {path: {prefix: /direct-only/}}
            proxy: {upstream: backend, rewrite: {regex: "^/direct-only(/.*)", replacement: $1}}
            compression: {enabled: true, proxied: false, types: [application/octet-stream]}
          - name: css-only
            listeners: [web]
            match: {path: {prefix: /css-only/}}
            proxy: {upstream: backend, rewrite: {regex: "^/css-only(/.*)", replacement: $1}}
            compression: {enabled: true, types: [text/css]}
          - name: encoded
            listeners: [web]
            match: {path: {prefix: /encoded/}}
            proxy: {upstream: gzip-files, rewrite: {regex: "^/encoded(/.*)", replacement: $1}}
          - name: ws
            listeners: [web]
            match: {path: {prefix: /ws}}
            proxy: {upstream: backend}
          - name: hello
            listeners: [web]
            match: {path: {exact: /hello}}
            respond: {body: "%5$s", content_type: text/css}
          - name: site
            listeners: [web]
            match: {path: {prefix: /}}
            static: {root: "%6$s"}
          - name: precompressed
            listeners: [web]
            match: {path: {prefix: /pre/}}
            static: {alias: "%6$s/", precompressed: true}
          - name: gzip-files
            listeners: [files]
            match: {path: {prefix: /}}
            static: {root: "%6$s", precompressed: true}
        """
        .formatted(
            web,
            files,
            backend.endpoint(),
            listenerExtra,
            HELLO.replace("\n", "\\n"),
            dir.resolve("site"));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return Http.getBytes(node.uri("web", path), headers);
  }

  static byte[] pattern(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i % 251);
    }
    return bytes;
  }

  static byte[] gunzip(byte[] body) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    }
  }

  static byte[] inflate(byte[] body) throws IOException {
    try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    }
  }

  static byte[] gzip(byte[] data) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  // ---- proxied responses ----------------------------------------------------------------------

  @Test
  void aProxiedBodyIsGzippedAndStreamedChunkedWithoutALength() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r =
          http.exchange(
              "GET /api/bytes/200000 HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n");

      assertEquals(200, r.status());
      assertEquals("gzip", r.headers().get("content-encoding"));
      assertEquals("chunked", r.headers().get("transfer-encoding"));
      assertNull(r.headers().get("content-length"));
      assertEquals("Accept-Encoding", r.headers().get("vary"));
      assertArrayEquals(pattern(200_000), gunzip(r.bytes()));
      assertTrue(r.bytes().length < 200_000 / 4, "compressed: " + r.bytes().length);

      RawHttp.Response next = http.exchange("GET /api/bytes/10 HTTP/1.1\r\nHost: a\r\n\r\n");
      assertArrayEquals(pattern(10), next.bytes(), "the chunked framing ended where it should");
    }
  }

  @Test
  void aBodyOfUnknownLengthIsCompressedToo() throws Exception {
    HttpResponse<byte[]> r = get("/api/chunked/50000", "Accept-Encoding", "gzip");

    assertEquals("gzip", header(r, "content-encoding"));
    assertArrayEquals(pattern(50_000), gunzip(r.body()));
  }

  @Test
  void deflateIsTheZlibFormatAndIsUsedWhenGzipIsRefused() throws Exception {
    HttpResponse<byte[]> r = get("/api/bytes/5000", "Accept-Encoding", "gzip;q=0, deflate");

    assertEquals("deflate", header(r, "content-encoding"));
    assertArrayEquals(pattern(5000), inflate(r.body()));
  }

  @Test
  void theClientsWeightsDecideBetweenGzipAndDeflate() throws Exception {
    assertEquals(
        "deflate",
        header(
            get("/api/bytes/500", "Accept-Encoding", "gzip;q=0.5, deflate;q=0.8"),
            "content-encoding"));
    assertEquals(
        "gzip",
        header(get("/api/bytes/500", "Accept-Encoding", "deflate, gzip"), "content-encoding"));
    assertEquals("gzip", header(get("/api/bytes/500", "Accept-Encoding", "*"), "content-encoding"));
  }

  @Test
  void aClientThatRefusesEveryCodingGetsThePlainBodyWithVary() throws Exception {
    for (String refusal : List.of("gzip;q=0, deflate;q=0", "identity", "br", "*;q=0")) {
      HttpResponse<byte[]> r = get("/api/bytes/5000", "Accept-Encoding", refusal);

      assertNull(header(r, "content-encoding"), refusal);
      assertEquals("5000", header(r, "content-length"), refusal);
      assertEquals("Accept-Encoding", header(r, "vary"), refusal);
      assertArrayEquals(pattern(5000), r.body(), refusal);
    }
  }

  @Test
  void noAcceptEncodingMeansNoCompression() throws Exception {
    HttpResponse<byte[]> r = get("/api/bytes/5000");

    assertNull(header(r, "content-encoding"));
    assertEquals("Accept-Encoding", header(r, "vary"));
    assertArrayEquals(pattern(5000), r.body());
  }

  @Test
  void aBodyShorterThanMinLengthIsSentAsItIs() throws Exception {
    HttpResponse<byte[]> r = get("/api/bytes/99", "Accept-Encoding", "gzip");

    assertNull(header(r, "content-encoding"));
    assertNull(header(r, "vary"));
    assertArrayEquals(pattern(99), r.body());
  }

  @Test
  void aTypeOutsideTheRouteTypesIsSentAsItIs() throws Exception {
    HttpResponse<byte[]> r = get("/css-only/bytes/5000", "Accept-Encoding", "gzip");

    assertNull(header(r, "content-encoding"));
    assertNull(header(r, "vary"));
    assertArrayEquals(pattern(5000), r.body());
  }

  @Test
  void headIsNeverCompressedButVaries() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r =
          http.exchange(
              "HEAD /api/bytes/5000 HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n");

      assertEquals(200, r.status());
      assertNull(r.headers().get("content-encoding"));
      assertEquals("5000", r.headers().get("content-length"));
      assertEquals("Accept-Encoding", r.headers().get("vary"));
    }
  }

  @Test
  void bodilessStatusesAreNotTouched() throws Exception {
    HttpResponse<byte[]> r = get("/api/status/204", "Accept-Encoding", "gzip");

    assertEquals(204, r.statusCode());
    assertNull(header(r, "content-encoding"));
    assertNull(header(r, "vary"));
  }

  @Test
  void aResponseAlreadyEncodedUpstreamIsNotCompressedAgain() throws Exception {
    HttpResponse<byte[]> r = get("/encoded/app.js", "Accept-Encoding", "gzip");

    assertEquals(200, r.statusCode());
    assertEquals(List.of("gzip"), r.headers().allValues("content-encoding"));
    assertArrayEquals(gzip(script), r.body(), "the upstream's own .gz bytes");
    assertArrayEquals(script, gunzip(r.body()));
  }

  @Test
  void proxiedFalseLeavesRequestsThatCameThroughAProxyUncompressed() throws Exception {
    HttpResponse<byte[]> viaProxy =
        get("/direct-only/bytes/5000", "Accept-Encoding", "gzip", "Via", "1.1 cdn");
    HttpResponse<byte[]> direct = get("/direct-only/bytes/5000", "Accept-Encoding", "gzip");
    HttpResponse<byte[]> viaProxyOnDefault =
        get("/api/bytes/5000", "Accept-Encoding", "gzip", "Via", "1.1 cdn");

    assertNull(header(viaProxy, "content-encoding"));
    assertEquals("Accept-Encoding", header(viaProxy, "vary"));
    assertEquals("gzip", header(direct, "content-encoding"));
    assertEquals("gzip", header(viaProxyOnDefault, "content-encoding"), "proxied defaults to true");
  }

  @Test
  void theLevelIsTheZlibLevel() throws Exception {
    byte[] fastest = get("/api/bytes/5000", "Accept-Encoding", "deflate").body();
    byte[] smallest = get("/level9/bytes/5000", "Accept-Encoding", "deflate").body();

    // The zlib header's second byte carries the level class: 0x01 fastest, 0xDA best.
    assertEquals(0x01, fastest[1] & 0xff, "default level 1");
    assertEquals(0xDA, smallest[1] & 0xff, "level 9");
    assertArrayEquals(pattern(5000), inflate(smallest));
  }

  @Test
  void anHttp10ClientGetsTheCompressedBodyEndedByTheClose() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /api/chunked/30000 HTTP/1.0\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] all = socket.getInputStream().readAllBytes();

      int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String head = new String(all, 0, end, StandardCharsets.US_ASCII).toLowerCase();
      assertTrue(head.contains("content-encoding: gzip"), head);
      assertFalse(head.contains("transfer-encoding"), head);
      assertFalse(head.contains("content-length"), head);
      assertArrayEquals(pattern(30_000), gunzip(Arrays.copyOfRange(all, end + 4, all.length)));
    }
  }

  @Test
  void aWebSocketUpgradeIsNeverCompressedAndTheRelayWorks() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /ws/room HTTP/1.1\r\nHost: a\r\n"
                      + "Upgrade: websocket\r\nConnection: Upgrade\r\nAccept-Encoding: gzip\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertFalse(head.toLowerCase().contains("content-encoding"), head);
      assertFalse(head.toLowerCase().contains("vary"), head);

      byte[] mask = {1, 2, 3, 4};
      byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
      socket
          .getOutputStream()
          .write(
              new byte[] {
                (byte) 0x81,
                (byte) 0x82,
                mask[0],
                mask[1],
                mask[2],
                mask[3],
                (byte) (hi[0] ^ mask[0]),
                (byte) (hi[1] ^ mask[1])
              });
      assertArrayEquals(
          new byte[] {(byte) 0x81, 2, 'h', 'i'},
          in.readNBytes(4),
          "the echo, as a plain unmasked frame");
    }
  }

  @Test
  void aWebSocketClientIsUnaffectedByCompressionOnTheListener() throws Exception {
    try (WsClient client = WsClient.connect(node.wsUri("web", "/ws/echo"))) {
      client.send(s -> s.sendText("compressed? no", true));

      assertEquals("compressed? no", client.nextMessage(WAIT));
    }
  }

  // ---- static files and respond routes -------------------------------------------------------

  @Test
  void aStaticFileIsCompressedWithAWeakEtagAndNoRanges() throws Exception {
    HttpResponse<byte[]> plain = get("/large.css");
    HttpResponse<byte[]> gzipped = get("/large.css", "Accept-Encoding", "gzip");

    assertEquals(Integer.toString(largeCss.length), header(plain, "content-length"));
    assertEquals("bytes", header(plain, "accept-ranges"));
    assertEquals("Accept-Encoding", header(plain, "vary"));
    String strong = header(plain, "etag");
    assertTrue(strong.startsWith("\""), strong);

    assertEquals("gzip", header(gzipped, "content-encoding"));
    assertEquals("W/" + strong, header(gzipped, "etag"));
    assertNull(header(gzipped, "accept-ranges"));
    assertNull(header(gzipped, "content-length"));
    assertEquals("Accept-Encoding", header(gzipped, "vary"));
    assertArrayEquals(largeCss, gunzip(gzipped.body()));
    assertArrayEquals(largeCss, plain.body());
  }

  @Test
  void theWeakEtagOfACompressedFileStillRevalidates() throws Exception {
    String weak = header(get("/large.css", "Accept-Encoding", "gzip"), "etag");

    HttpResponse<byte[]> r = get("/large.css", "Accept-Encoding", "gzip", "If-None-Match", weak);

    assertEquals(304, r.statusCode());
  }

  @Test
  void aRangeOfACompressibleFileIsSentUncompressed() throws Exception {
    HttpResponse<byte[]> r = get("/large.css", "Accept-Encoding", "gzip", "Range", "bytes=100-199");

    assertEquals(206, r.statusCode());
    assertNull(header(r, "content-encoding"));
    assertArrayEquals(Arrays.copyOfRange(largeCss, 100, 200), r.body());
  }

  @Test
  void curlDecompressesAStaticFileToTheFile() throws Exception {
    CommandRunner.Result curl =
        CommandRunner.run(
            WAIT,
            List.of(
                "curl",
                "-sS",
                "--compressed",
                "-o",
                dir.resolve("curl.css").toString(),
                "-w",
                "%{size_download}",
                "http://127.0.0.1:" + address.getPort() + "/large.css"));

    assertEquals(0, curl.exitCode(), curl.toString());
    assertArrayEquals(largeCss, Files.readAllBytes(dir.resolve("curl.css")));
    assertTrue(
        Long.parseLong(curl.stdout().strip()) < largeCss.length / 3,
        "downloaded " + curl.stdout() + " bytes");
  }

  @Test
  void aPrecompressedSiblingIsServedAsItIsAndNeverCompressedAgain() throws Exception {
    HttpResponse<byte[]> r = get("/pre/app.js", "Accept-Encoding", "gzip");

    assertEquals("gzip", header(r, "content-encoding"));
    assertEquals(
        Long.toString(Files.size(dir.resolve("site/app.js.gz"))), header(r, "content-length"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("site/app.js.gz")), r.body());
    assertEquals("application/javascript", header(r, "content-type"));
    assertEquals("Accept-Encoding", header(r, "vary"));
  }

  @Test
  void aRespondRouteIsCompressedWholeWithItsLength() throws Exception {
    HttpResponse<byte[]> r = get("/hello", "Accept-Encoding", "gzip");

    assertEquals("gzip", header(r, "content-encoding"));
    assertEquals(Integer.toString(r.body().length), header(r, "content-length"));
    assertEquals(HELLO, new String(gunzip(r.body()), StandardCharsets.UTF_8));
  }

  @Test
  void compressedAndPlainResponsesTakeTurnsOnOneConnection() throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      for (int i = 0; i < 2; i++) {
        RawHttp.Response css =
            http.exchange(
                "GET /large.css HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n");
        RawHttp.Response hello =
            http.exchange("GET /hello HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n");
        RawHttp.Response plain = http.exchange("GET /api/bytes/3000 HTTP/1.1\r\nHost: a\r\n\r\n");

        assertArrayEquals(largeCss, gunzip(css.bytes()));
        assertEquals(HELLO, new String(gunzip(hello.bytes()), StandardCharsets.UTF_8));
        assertArrayEquals(pattern(3000), plain.bytes());
      }
    }
  }

  @Test
  void theAccessLogCountsTheCompressedBytesSent() throws Exception {
    Path log = dir.resolve("access.json");
    TestNode logged =
        TestNode.start(
            ports ->
                config(
                    ports.next(),
                    ports.next(),
                    "access_log: {path: \""
                        + log
                        + "\", encoding: json, fields: [request, body_bytes_sent]}"));
    byte[] streamed;
    byte[] whole;
    try {
      try (RawHttp http = new RawHttp(logged.address("web"))) {
        streamed =
            http.exchange(
                    "GET /large.css HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n")
                .bytes();
        whole =
            http.exchange("GET /hello HTTP/1.1\r\nHost: a\r\n" + "Accept-Encoding: gzip\r\n\r\n")
                .bytes();
      }
    } finally {
      logged.close();
    }

    assertEquals(
        "{\"request\":\"GET /large.css HTTP/1.1\",\"body_bytes_sent\":\""
            + streamed.length
            + "\"}\n{\"request\":\"GET /hello HTTP/1.1\",\"body_bytes_sent\":\""
            + whole.length
            + "\"}\n",
        Files.readString(log));
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  private static int indexOf(byte[] all, byte[] part) {
    outer:
    for (int i = 0; i <= all.length - part.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (all[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("no end of head");
  }
}
