package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.WsClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first seed's users, side by side: the same nginx files run by a real nginx and, through
 * {@code wharfctl import-nginx}, by a real Wharf node; the same requests from the same client to
 * each. What a user sees must be the same: statuses, the headers that carry meaning, bodies
 * (compressed or not), the SPA fallback, what the API backend receives, the WebSocket echo.
 *
 * <p>Left out of the comparison, each a difference written down in docs/migrating-from-nginx.md:
 * {@code Server} and {@code Date}; the body of error pages (Wharf's are one short line); {@code
 * Vary: Accept-Encoding} (Wharf always sends it where compression could apply, as {@code gzip_vary
 * on}); a redirect's {@code Location} is compared without scheme, host and port (nginx makes it
 * absolute, Wharf relative); how the response is framed ({@code Transfer-Encoding}, {@code
 * Connection}, {@code Keep-Alive}); towards the backend, the HTTP version and {@code Connection}
 * (nginx speaks HTTP/1.0 with {@code Connection: close} there unless told otherwise, Wharf keeps
 * connections alive).
 */
class NginxSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final List<String> COMPARED_HEADERS =
      List.of(
          "content-type",
          "content-length",
          "content-encoding",
          "etag",
          "last-modified",
          "content-range",
          "location",
          "accept-ranges");

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend backend;
  private static int nginxPort;
  private static int wharfPort;

  @BeforeEach
  void forgetWhatEarlierTestsSentTheBackend() {
    sbs.forgetBackendRequests();
  }

  @BeforeAll
  static void start() throws Exception {
    Path site = SeedSetup.writeSite(dir);
    sbs =
        SideBySide.start(
            dir,
            BOUND,
            1,
            (at, ports, fixture) ->
                SeedSetup.write(at, ports.get(0), fixture.backend().endpoint(), site),
            "api");
    backend = sbs.backend();
    nginxPort = sbs.nginxPort();
    wharfPort = sbs.wharfPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  /** What a client sees of one response: status, the meaningful headers, the body. */
  private record Seen(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static Seen send(
      int port, String method, String path, Map<String, String> headers, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(BOUND)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    HttpResponse<byte[]> r = Http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, String> kept = new LinkedHashMap<>();
    for (String name : COMPARED_HEADERS) {
      r.headers().firstValue(name).ifPresent(v -> kept.put(name, v));
    }
    // nginx writes redirects absolute (with its own port), Wharf relative: compare the target.
    kept.computeIfPresent("location", (k, v) -> v.replaceFirst("^http://127\\.0\\.0\\.1:\\d+", ""));
    return new Seen(r.statusCode(), kept, r.body());
  }

  /** Sends the same request to nginx and to Wharf; asserts they look the same; returns Wharf's. */
  private static Seen same(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    Seen fromNginx = send(nginxPort, method, path, headers, body);
    Seen fromWharf = send(wharfPort, method, path, headers, body);
    String what = method + " " + path + " " + headers;
    assertEquals(fromNginx.status(), fromWharf.status(), what + ": status");
    if (fromNginx.status() >= 400) {
      return fromWharf; // error pages differ on purpose: Wharf's are one short line
    }
    if (fromNginx.status() >= 301 && fromNginx.status() <= 308 && fromNginx.status() != 304) {
      assertEquals(
          fromNginx.headers().get("location"),
          fromWharf.headers().get("location"),
          what + ": redirect target"); // the page around it differs as an error page does
      return fromWharf;
    }
    assertEquals(fromNginx.headers(), fromWharf.headers(), what + ": headers");
    assertArrayEquals(
        fromNginx.body(),
        fromWharf.body(),
        what + ": body\nnginx: " + fromNginx.text() + "\nwharf: " + fromWharf.text());
    return fromWharf;
  }

  private static Seen same(String path) throws Exception {
    return same("GET", path, Map.of(), null);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/index.html",
        "/static/js/main.js",
        "/static/app.css",
        "/logo.png",
        "/docs/",
        "/docs",
        "/dashboard/settings",
        "/static/missing.js",
        "/static/js/",
        "/%2e%2e/etc/passwd",
        "/../etc/passwd"
      })
  void staticFilesAndTheSinglePageAppFallbackLookTheSame(String path) throws Exception {
    Seen seen = same(path);
    assertTrue(seen.status() < 500, path + ": " + seen.status());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/", "/static/js/main.js", "/static/app.css", "/logo.png", "/dashboard/settings"})
  void compressedResponsesLookTheSameOnceDecompressed(String path) throws Exception {
    Map<String, String> gzip = Map.of("Accept-Encoding", "gzip");
    Seen fromNginx = send(nginxPort, "GET", path, gzip, null);
    Seen fromWharf = send(wharfPort, "GET", path, gzip, null);
    assertEquals(fromNginx.status(), fromWharf.status(), path);
    assertEquals(
        fromNginx.headers().get("content-encoding"),
        fromWharf.headers().get("content-encoding"),
        path + ": compressed by one only");
    assertEquals(fromNginx.headers().get("content-type"), fromWharf.headers().get("content-type"));
    assertEquals(fromNginx.headers().get("etag"), fromWharf.headers().get("etag"), path);
    assertArrayEquals(decoded(fromNginx), decoded(fromWharf), path + ": body");
  }

  private static byte[] decoded(Seen seen) throws IOException {
    if (!"gzip".equals(seen.headers().get("content-encoding"))) {
      return seen.body();
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(seen.body()))) {
      return in.readAllBytes();
    }
  }

  @Test
  void conditionalRangeAndHeadRequestsLookTheSame() throws Exception {
    Seen full = same("/static/js/main.js");
    String etag = full.headers().get("etag");
    assertNotNull(etag);
    assertEquals(
        304, same("GET", "/static/js/main.js", Map.of("If-None-Match", etag), null).status());
    assertEquals(
        304,
        same(
                "GET",
                "/static/js/main.js",
                Map.of("If-Modified-Since", full.headers().get("last-modified")),
                null)
            .status());
    assertEquals(
        206, same("GET", "/static/js/main.js", Map.of("Range", "bytes=10-29"), null).status());
    assertEquals(
        206, same("GET", "/static/js/main.js", Map.of("Range", "bytes=-5"), null).status());
    assertEquals(
        416, same("GET", "/static/js/main.js", Map.of("Range", "bytes=999999-"), null).status());
    assertEquals(200, same("HEAD", "/", Map.of(), null).status());
    same("POST", "/index.html", Map.of(), "x");
  }

  @Test
  void theApiBackendReceivesTheSameRequests() throws Exception {
    Map<String, String> headers = Map.of("X-Client", "side-by-side");
    List<RecordedRequest> received = new ArrayList<>();
    for (String[] call :
        new String[][] {
          {"GET", "/api/orders?id=7", null},
          {"GET", "/api", null},
          {"GET", "/api/", null},
          {"POST", "/api/orders", "{\"item\":42}"},
          {"DELETE", "/apiary/x", null}
        }) {
      Seen seen = same(call[0], call[1], headers, call[2]);
      assertTrue(seen.status() < 500, call[1] + ": " + seen.status());
      RecordedRequest viaNginx = backend.takeRequest(BOUND);
      RecordedRequest viaWharf = backend.takeRequest(BOUND);
      assertEquals(
          viaNginx.method() + " " + viaNginx.uri(),
          viaWharf.method() + " " + viaWharf.uri(),
          call[1]);
      assertArrayEquals(viaNginx.body(), viaWharf.body(), call[1]);
      for (String name :
          List.of(
              "Host",
              "X-Real-IP",
              "X-Forwarded-For",
              "X-Client",
              "Content-Type",
              "Content-Length",
              "User-Agent")) {
        assertEquals(viaNginx.header(name), viaWharf.header(name), call[1] + ": " + name);
      }
      received.add(viaWharf);
    }
    assertEquals("/orders?id=7", received.get(0).uri(), "the seed's rewrite ^/api/?(.*) /$1");
    assertEquals("127.0.0.1", received.get(0).header("X-Real-IP"));
  }

  @Test
  void theWebSocketEchoesThroughBoth() throws Exception {
    for (int port : new int[] {nginxPort, wharfPort}) {
      try (WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/capture"))) {
        ws.send(s -> s.sendText("frame from " + port, true));
        assertEquals("frame from " + port, ws.nextMessage(BOUND));
        ws.send(s -> s.sendClose(1000, "done"));
        assertEquals(1000, ws.closeCode().get(BOUND.toSeconds(), TimeUnit.SECONDS));
      }
      assertEquals(1000, backend.takeWebSocketCloseCode(BOUND), "via port " + port);
    }
    RecordedRequest viaNginx = backend.takeRequest(BOUND);
    RecordedRequest viaWharf = backend.takeRequest(BOUND);
    assertEquals(viaNginx.uri(), viaWharf.uri());
    assertEquals(backend.endpoint(), viaNginx.header("Host"), "nginx's $proxy_host");
    assertEquals(
        viaNginx.header("Host"),
        viaWharf.header("Host"),
        "the importer wrote nginx's Host as a rule");
  }
}
