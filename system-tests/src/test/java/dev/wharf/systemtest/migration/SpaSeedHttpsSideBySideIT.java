package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first seed with HTTPS added (a single-page app, its API and its WebSocket on {@code listen
 * 80} and {@code listen 443 ssl}): a user puts a certificate for {@code localhost} from their CA at
 * the seed's {@code ssl_certificate} paths, and the same files run in a real nginx and, through
 * {@code wharfctl import-nginx}, in a real Wharf node. What {@code curl --cacert}, a {@code wss://}
 * client and a headless Chromium trusting that CA see must be the same: pages, the API's answers
 * and what the API backend receives, the WebSocket echo, the plain-HTTP port, the refusals.
 *
 * <p>Compared as in {@link NginxSideBySideIT}: error pages by status only, {@code Server}, {@code
 * Date} and framing headers not at all, directory redirects by their path (nginx makes them
 * absolute, Wharf relative: docs/migrating-from-nginx.md, "Directory redirects are relative").
 */
// Chromium may take its 180 s load bound: over the 2 min default.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SpaSeedHttpsSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final List<String> COMPARED_HEADERS =
      List.of(
          "content-type",
          "content-length",
          "content-encoding",
          "etag",
          "last-modified",
          "accept-ranges");

  @TempDir static Path dir;
  private static TestPki pki;
  private static TestBackend backend;
  private static NginxProcess nginx;
  private static JarProcess wharf;
  private static HttpsSeedSetup.Ports nginxPorts;
  private static HttpsSeedSetup.Ports wharfPorts;
  private static int wharfAdmin;
  private static Curl curl;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    curl = new Curl(dir.resolve("curl"));
    pki = TestPki.create(java.nio.file.Files.createDirectories(dir.resolve("pki")));
    TestPki.Issued certificate = pki.rsa("localhost", "localhost");
    backend = TestBackend.start("api");
    Path site = HttpsSeedSetup.writeSite(dir);
    // Each on fresh ports, written again on others when one was taken before the bind.
    NginxProcess.Listening listening =
        NginxProcess.startOnFreePorts(
            2,
            dir.resolve("nginx"),
            ports -> {
              Path conf =
                  HttpsSeedSetup.writeSpa(
                      dir.resolve("nginx"),
                      new HttpsSeedSetup.Ports(ports.get(0), ports.get(1)),
                      backend.endpoint(),
                      site,
                      certificate);
              SeedSetup.makeReadable(dir);
              return conf;
            },
            BOUND);
    nginx = listening.nginx();
    nginxPorts = new HttpsSeedSetup.Ports(listening.ports().get(0), listening.ports().get(1));

    wharf =
        FreePorts.retryWhenTaken(
            2,
            ports -> {
              wharfPorts = new HttpsSeedSetup.Ports(ports.get(0), ports.get(1));
              Path conf =
                  HttpsSeedSetup.writeSpa(
                      dir.resolve("wharf"), wharfPorts, backend.endpoint(), site, certificate);
              SeedSetup.makeReadable(dir);
              return ImportedNode.start(dir, conf, BOUND);
            });
    wharfAdmin = ImportedNode.adminPort(wharf, BOUND);
    Await.until(BOUND, () -> get(nginxPorts, "/").status() == 200, nginx::errors);
  }

  @AfterAll
  static void stop() throws Exception {
    if (wharf != null) {
      wharf.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @BeforeEach
  void forgetWhatEarlierTestsSentTheBackend() {
    while (backend.pendingRequests() > 0) {
      backend.takeRequest(BOUND);
    }
  }

  private static String https(HttpsSeedSetup.Ports ports, String path) {
    return "https://localhost:" + ports.https() + path;
  }

  private static Curl.Response get(HttpsSeedSetup.Ports ports, String path, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--cacert";
    all[1] = pki.caCertificate().toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return curl.run(https(ports, path), all);
  }

  /** The same request over HTTPS to nginx and to Wharf; asserts what a user sees is the same. */
  private static Curl.Response same(String path, String... args) {
    Curl.Response fromNginx = get(nginxPorts, path, args);
    Curl.Response fromWharf = get(wharfPorts, path, args);
    String what = path + " " + List.of(args);
    assertEquals(0, fromNginx.exitCode(), what + ": curl to nginx: " + fromNginx.err());
    assertEquals(0, fromWharf.exitCode(), what + ": curl to wharf: " + fromWharf.err());
    assertEquals(fromNginx.status(), fromWharf.status(), what + ": status");
    if (fromNginx.status() >= 400) {
      return fromWharf; // error pages differ on purpose: Wharf's are one short line
    }
    if (fromNginx.status() == 301) {
      assertEquals(
          fromNginx.header("location").replace("https://localhost:" + nginxPorts.https(), ""),
          fromWharf.header("location"),
          what + ": redirect target (nginx's absolute, Wharf's relative)");
      return fromWharf;
    }
    for (String name : COMPARED_HEADERS) {
      assertEquals(fromNginx.header(name), fromWharf.header(name), what + ": " + name);
    }
    assertArrayEquals(
        fromNginx.body(),
        fromWharf.body(),
        what + ": body\nnginx: " + fromNginx.text() + "\nwharf: " + fromWharf.text());
    return fromWharf;
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
        "/favicon.ico",
        "/%2e%2e/etc/passwd"
      })
  void theSitesPagesLookTheSameOverHttps(String path) {
    Curl.Response seen = same(path);
    assertTrue(seen.status() < 500, path + ": " + seen.status());
  }

  @ParameterizedTest
  @CsvSource({
    "/, gzip",
    "/static/app.css, gzip",
    // Debian's mime.types says application/javascript, which the seed's gzip_types leaves out.
    "/static/js/main.js, ",
  })
  void compressedPagesLookTheSameOverHttps(String path, String encoding) {
    Curl.Response seen = same(path, "--compressed");
    assertEquals(encoding, seen.header("content-encoding"), path);
  }

  @Test
  void theSameFilesAreStillServedOnThePlainPort() {
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      Curl.Response plain = curl.run("http://localhost:" + ports.http() + "/static/js/main.js");
      Curl.Response secure = get(ports, "/static/js/main.js");
      assertEquals(200, plain.status(), "port " + ports.http());
      assertArrayEquals(secure.body(), plain.body(), "port " + ports.http());
    }
  }

  @Test
  void theApiBackendReceivesTheSameRequestsOverHttps() {
    for (String[] call :
        new String[][] {
          {"/api/orders?id=7"},
          {"/api/orders", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"a\":1}"},
          {"/api", "-H", "X-Forwarded-For: 203.0.113.9"}
        }) {
      String path = call[0];
      String[] args = new String[call.length - 1 + 2];
      args[0] = "-H";
      args[1] = "X-Client: side-by-side";
      System.arraycopy(call, 1, args, 2, call.length - 1);
      Curl.Response seen = same(path, args);
      assertEquals(200, seen.status(), path);
      RecordedRequest viaNginx = backend.takeRequest(BOUND);
      RecordedRequest viaWharf = backend.takeRequest(BOUND);
      assertEquals(
          viaNginx.method() + " " + viaNginx.uri(), viaWharf.method() + " " + viaWharf.uri(), path);
      assertArrayEquals(viaNginx.body(), viaWharf.body(), path);
      for (String name :
          List.of(
              "Host",
              "X-Real-IP",
              "X-Forwarded-For",
              "X-Forwarded-Proto",
              "X-Client",
              "Content-Type",
              "Content-Length",
              "User-Agent")) {
        assertEquals(viaNginx.header(name), viaWharf.header(name), path + ": " + name);
      }
      assertEquals("localhost", viaWharf.header("Host"), "the seed's Host $host: no port");
      assertEquals("127.0.0.1", viaWharf.header("X-Real-IP"), path);
      // The seed sets no X-Forwarded-Proto; neither adds one on its own.
      assertNull(viaWharf.header("X-Forwarded-Proto"), path);
    }
  }

  @Test
  void theWebSocketEchoesThroughBothOverWss() throws Exception {
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      URI uri = URI.create("wss://localhost:" + ports.https() + "/capture?room=1");
      try (WsClient ws = WsClient.connect(uri, pki.clientContext())) {
        ws.send(s -> s.sendText("over wss via " + ports.https(), true));
        assertEquals("over wss via " + ports.https(), ws.nextMessage(BOUND));
        ws.send(s -> s.sendClose(1000, "done"));
        assertEquals(1000, ws.closeCode().get(BOUND.toSeconds(), TimeUnit.SECONDS));
      }
      assertEquals(1000, backend.takeWebSocketCloseCode(BOUND), "via port " + ports.https());
    }
    RecordedRequest viaNginx = backend.takeRequest(BOUND);
    RecordedRequest viaWharf = backend.takeRequest(BOUND);
    assertEquals("/capture?room=1", viaNginx.uri());
    assertEquals(viaNginx.uri(), viaWharf.uri());
    for (String name : List.of("Host", "Upgrade", "Sec-WebSocket-Version", "X-Forwarded-Proto")) {
      assertEquals(viaNginx.header(name), viaWharf.header(name), name);
    }
    assertEquals(backend.endpoint(), viaWharf.header("Host"), "nginx's $proxy_host");
  }

  @Test
  void clientsThatDoNotTrustTheCaAreRefusedByBoth() {
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      // curl's own CA bundle, without the test CA: "SSL certificate problem" (exit 60).
      Curl.Response r = curl.run(https(ports, "/"));
      assertEquals(60, r.exitCode(), "port " + ports.https() + ": " + r.err());
      assertEquals(0, backend.pendingRequests());
    }
  }

  @Test
  void plainHttpToTheHttpsPortIsRefusedByBoth() {
    // docs/migrating-from-nginx.md: "A plain HTTP request to a TLS port is answered 400 ... as in
    // nginx, but in plain text"; nginx's page is HTML with the same sentence.
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      Curl.Response r = curl.run("http://localhost:" + ports.https() + "/api/x");
      assertEquals(400, r.status(), "port " + ports.https());
      assertTrue(
          r.text().contains("The plain HTTP request was sent to HTTPS port"),
          "port " + ports.https() + ": " + r.text());
    }
    assertEquals(0, backend.pendingRequests(), "nothing reached the API");
  }

  @Test
  void aBrowserTrustingTheTestCaLoadsTheAppAndItsWebSocketFromBoth() {
    Chromium chromium = Chromium.find();
    Path home = Chromium.home(dir.resolve("browser-home"), Optional.of(pki.caCertificate()));
    double h2Before = WharfMetrics.requests(wharfAdmin, curl, WharfMetrics.h2WebSockets("capture"));
    Chromium.Page fromNginx = chromium.load(home, https(nginxPorts, "/"), Optional.of("ws"));
    Chromium.Page fromWharf = chromium.load(home, https(wharfPorts, "/"), Optional.of("ws"));
    for (Chromium.Page page : List.of(fromNginx, fromWharf)) {
      String what = page.json().toString();
      assertNull(page.navigationError(), what);
      assertEquals(200, page.status(), what);
      assertEquals("Seed app", page.title(), "main.js ran: " + what);
      assertEquals("https:", page.dataset("rendered"), what);
      assertEquals(
          "echo: hello from the page", page.dataset("ws"), "wss:// from the page: " + what);
      assertEquals("Wharf Test CA", page.issuer(), what);
      assertEquals("localhost", page.subjectName(), what);
      assertTrue(List.of("TLS 1.3", "TLS 1.2").contains(page.protocol()), what);
      assertEquals(List.of(), page.failedRequests(), what);
      assertEquals(3, page.protocols().size(), "the page, its stylesheet and script: " + what);
    }
    // No console errors from Wharf but those nginx's page shows too (none, with this site).
    assertEquals(fromNginx.consoleErrors(), fromWharf.consoleErrors());
    assertEquals(List.of(), fromWharf.consoleErrors());
    assertEquals(fromNginx.protocol(), fromWharf.protocol());
    // `listen 443 ssl http2` on both: the page and every resource came over h2 from each.
    assertEquals(Set.of("h2"), Set.copyOf(fromNginx.protocols().values()), "nginx");
    assertEquals(Set.of("h2"), Set.copyOf(fromWharf.protocols().values()), "wharf");
    // nginx cannot carry a WebSocket over HTTP/2: an HTTP/1.1 upgrade (101). Through Wharf,
    // Chromium opened it as an extended CONNECT on the page's HTTP/2 connection (RFC 8441):
    // its net log says so, DevTools saw the stream's 200, and Wharf counted an h2 request.
    String nginxWs = "wss://localhost:" + nginxPorts.https() + "/capture?from=page";
    String wharfWs = "wss://localhost:" + wharfPorts.https() + "/capture?from=page";
    assertEquals(List.of(nginxWs + " 101"), fromNginx.webSockets());
    assertEquals(List.of(), fromNginx.http2WebSockets());
    assertEquals(List.of(wharfWs + " 200"), fromWharf.webSockets());
    assertEquals(
        List.of("https://localhost:" + wharfPorts.https() + "/capture?from=page"),
        fromWharf.http2WebSockets());
    Await.until(
        BOUND,
        () ->
            WharfMetrics.requests(wharfAdmin, curl, WharfMetrics.h2WebSockets("capture"))
                == h2Before + 1,
        () -> WharfMetrics.scrape(wharfAdmin, curl));
    // The page's WebSocket reached the backend through each, as an HTTP/1.1 upgrade.
    for (int i = 0; i < 2; i++) {
      RecordedRequest handshake = backend.takeRequest(BOUND);
      assertEquals("/capture?from=page", handshake.uri());
      assertEquals("websocket", handshake.header("Upgrade"));
      assertNotNull(handshake.header("Origin"), "a browser's handshake");
    }
  }

  @Test
  void withoutTheTestCaTheBrowserRefusesBoth() {
    // The negative control: the same browser, an empty NSS database.
    Chromium chromium = Chromium.find();
    Path home = Chromium.home(dir.resolve("browser-home-untrusting"), Optional.empty());
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      Chromium.Page page = chromium.load(home, https(ports, "/"), Optional.empty());
      assertNotNull(page.navigationError(), page.json().toString());
      assertTrue(
          page.navigationError().contains("ERR_CERT_AUTHORITY_INVALID"), page.navigationError());
    }
    assertEquals(0, backend.pendingRequests(), "no page, no WebSocket");
  }
}
