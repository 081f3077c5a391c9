package dev.wharf.systemtest.migration;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second seed with HTTPS added (Tengine: a port-80 server that only answers {@code return 301
 * https://$host$request_uri}, and a {@code 443 ssl} server relaying {@code /websocket}): a user
 * puts a certificate for {@code localhost} from their CA at the seed's {@code ssl_certificate}
 * paths, and the same files run in a real nginx and, through {@code wharfctl import-nginx}, in a
 * real Wharf node. {@code wss://} echoes through both with the same handshake at the backend, plain
 * requests over HTTPS get the same answers, and the port-80 redirect has the same status and {@code
 * Location} for any path, method or WebSocket handshake.
 *
 * <p>One difference, on purpose (docs/migrating-from-nginx.md, "https_redirect sends an empty
 * body"): nginx's redirect carries a small HTML page, Wharf's none.
 */
// Chromium may take its 180 s load bound: over the 2 min default.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TengineSeedHttpsSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

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
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    TestPki.Issued certificate = pki.ecdsa("localhost", "localhost");
    backend = TestBackend.start("ws");
    // Each on fresh ports, written again on others when one was taken before the bind.
    NginxProcess.Listening listening =
        NginxProcess.startOnFreePorts(
            2,
            dir.resolve("nginx"),
            ports -> {
              Path conf =
                  HttpsSeedSetup.writeTengine(
                      dir.resolve("nginx"),
                      new HttpsSeedSetup.Ports(ports.get(0), ports.get(1)),
                      backend.endpoint(),
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
                  HttpsSeedSetup.writeTengine(
                      dir.resolve("wharf"), wharfPorts, backend.endpoint(), certificate);
              SeedSetup.makeReadable(dir);
              return ImportedNode.start(dir, conf, BOUND);
            });
    wharfAdmin = ImportedNode.adminPort(wharf, BOUND);
    Await.until(BOUND, () -> https(nginxPorts, "/").status() > 0, nginx::errors);
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
  void forgetEarlierRequests() {
    while (backend.pendingRequests() > 0) {
      backend.takeRequest(BOUND);
    }
  }

  private static Curl.Response https(HttpsSeedSetup.Ports ports, String path) {
    return curl.run(
        "https://localhost:" + ports.https() + path, "--cacert", pki.caCertificate().toString());
  }

  @Test
  void theWebSocketEchoesThroughBothOverWssAndTheBackendSeesTheSameHandshake() throws Exception {
    RecordedRequest[] handshakes = new RecordedRequest[2];
    List<HttpsSeedSetup.Ports> both = List.of(nginxPorts, wharfPorts);
    for (int i = 0; i < 2; i++) {
      URI uri = URI.create("wss://localhost:" + both.get(i).https() + "/websocket/chat?room=1");
      try (WsClient ws = WsClient.connect(uri, pki.clientContext())) {
        ws.send(s -> s.sendText("hello over wss", true));
        assertEquals("hello over wss", ws.nextMessage(BOUND));
        ws.send(s -> s.sendClose(1000, ""));
        assertEquals(1000, ws.closeCode().get(BOUND.toSeconds(), TimeUnit.SECONDS));
      }
      handshakes[i] = backend.takeRequest(BOUND);
      assertEquals(1000, backend.takeWebSocketCloseCode(BOUND));
    }
    RecordedRequest viaNginx = handshakes[0];
    RecordedRequest viaWharf = handshakes[1];
    assertEquals("GET /websocket/chat?room=1", viaNginx.method() + " " + viaNginx.uri());
    assertEquals(
        viaNginx.method() + " " + viaNginx.uri(), viaWharf.method() + " " + viaWharf.uri());
    for (String name :
        List.of(
            "Host",
            "X-Real-IP",
            "X-Forwarded-For",
            "X-Forwarded-Proto",
            "Upgrade",
            "Connection",
            "Sec-WebSocket-Version")) {
      assertEquals(lower(viaNginx.header(name)), lower(viaWharf.header(name)), name);
    }
    assertEquals("localhost", viaWharf.header("Host"), "the seed's Host $host");
    assertNull(viaWharf.header("X-Forwarded-Proto"), "the seed sets none");
  }

  @Test
  void plainRequestsOverHttpsGetTheSameAnswers() {
    for (String path : List.of("/websocket/status?x=1", "/elsewhere", "/")) {
      Curl.Response fromNginx = https(nginxPorts, path);
      Curl.Response fromWharf = https(wharfPorts, path);
      assertEquals(0, fromNginx.exitCode(), path + ": " + fromNginx.err());
      assertEquals(0, fromWharf.exitCode(), path + ": " + fromWharf.err());
      assertEquals(fromNginx.status(), fromWharf.status(), path);
    }
    RecordedRequest viaNginx = backend.takeRequest(BOUND);
    RecordedRequest viaWharf = backend.takeRequest(BOUND);
    assertEquals("/websocket/status?x=1", viaNginx.uri());
    assertEquals(viaNginx.uri(), viaWharf.uri());
    for (String name : List.of("Host", "X-Real-IP", "X-Forwarded-For")) {
      assertEquals(viaNginx.header(name), viaWharf.header(name), name);
    }
    assertEquals(0, backend.pendingRequests(), "only /websocket is proxied");
  }

  @Test
  void thePort80ServerRedirectsEveryRequestToHttpsAlike() {
    String[][] requests = {
      {"/"},
      {"/websocket/chat?room=1&x=%41"},
      {"/a/../b//c?q", "--path-as-is"},
      {"/form", "-X", "POST", "-d", "a=1"},
      {"/websocket/chat", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket"},
      {"/x", "-H", "Host: Test.COM:8080"}
    };
    for (String[] request : requests) {
      String path = request[0];
      String[] args = java.util.Arrays.copyOfRange(request, 1, request.length);
      Curl.Response fromNginx = curl.run("http://localhost:" + nginxPorts.http() + path, args);
      Curl.Response fromWharf = curl.run("http://localhost:" + wharfPorts.http() + path, args);
      String what = List.of(request).toString();
      assertEquals(301, fromNginx.status(), what + ": " + fromNginx.err());
      assertEquals(fromNginx.status(), fromWharf.status(), what);
      assertEquals(fromNginx.header("location"), fromWharf.header("location"), what);
      // The difference on purpose: nginx sends an HTML page, Wharf an empty body.
      assertTrue(fromNginx.text().contains("301 Moved Permanently"), what);
      assertEquals("0", fromWharf.header("content-length"), what);
      assertEquals(0, fromWharf.body().length, what);
    }
    assertEquals(
        "https://localhost/websocket/chat?room=1&x=%41",
        curl.run("http://localhost:" + wharfPorts.http() + "/websocket/chat?room=1&x=%41")
            .header("location"),
        "$host without the port, the request URI as sent, port 443 left out");
    assertEquals(0, backend.pendingRequests(), "a redirect reaches no backend");
  }

  @Test
  void theRedirectTargetServesWhenTheUserFollowsIt() {
    // A user's curl -L: the Location is https://localhost/... (port 443, as the seed says); this
    // test's HTTPS port stands in for 443, with the same certificate check.
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      Curl.Response redirect =
          curl.run("http://localhost:" + ports.http() + "/websocket/status?from=80");
      String location = redirect.header("location");
      assertEquals("https://localhost/websocket/status?from=80", location);
      Curl.Response followed =
          curl.run(
              location,
              "--cacert",
              pki.caCertificate().toString(),
              "--connect-to",
              "localhost:443:127.0.0.1:" + ports.https());
      assertEquals(0, followed.exitCode(), followed.err());
      assertEquals(200, followed.status());
      assertEquals("/websocket/status?from=80", backend.takeRequest(BOUND).uri());
    }
  }

  @Test
  void aBrowserLoadsAPageAndOpensItsWebSocketThroughBoth() {
    // The seed's HTTPS server has nothing but /websocket (its backend answers plain requests
    // there without a Content-Type: a browser downloads them). The browser opens the site's
    // root, which both answer 404, and that page opens a WebSocket on its own host.
    Chromium chromium = Chromium.find();
    Path home = Chromium.home(dir.resolve("browser-home"), Optional.of(pki.caCertificate()));
    double h2Before =
        WharfMetrics.requests(wharfAdmin, curl, WharfMetrics.h2WebSockets("test.com-websocket"));
    List<Chromium.Page> pages = new ArrayList<>();
    for (HttpsSeedSetup.Ports ports : List.of(nginxPorts, wharfPorts)) {
      pages.add(
          chromium.load(
              home,
              "https://localhost:" + ports.https() + "/",
              Optional.of("ws"),
              Optional.of("/websocket/chat?from=page")));
    }
    Chromium.Page fromNginx = pages.get(0);
    Chromium.Page fromWharf = pages.get(1);
    for (Chromium.Page page : pages) {
      String what = page.json().toString();
      assertNull(page.navigationError(), what);
      assertEquals(404, page.status(), what);
      assertEquals("echo: hello from the page", page.dataset("ws"), what);
      assertEquals("Wharf Test CA", page.issuer(), what);
      assertEquals(List.of(), page.failedRequests(), what);
    }
    // The same errors (the 404s of the page and its favicon), but for the reason phrase
    // HTTP/1.1 has ("404 (Not Found)") and HTTP/2 has not ("404 ()").
    assertEquals(
        withoutReasons(fromNginx.consoleErrors()), withoutReasons(fromWharf.consoleErrors()));
    // No ssl_protocols in the seed: nginx 1.22's default stops at TLS 1.2, Wharf's has 1.3.
    assertTrue(List.of("TLS 1.3", "TLS 1.2").contains(fromWharf.protocol()), fromWharf.protocol());
    // `listen 443 ssl http2`: nginx and Wharf both serve the page over h2 (ALPN).
    assertEquals(Set.of("h2"), Set.copyOf(fromNginx.protocols().values()), "nginx");
    assertEquals(Set.of("h2"), Set.copyOf(fromWharf.protocols().values()), "wharf");
    // nginx: an HTTP/1.1 upgrade. Wharf: an extended CONNECT on the page's HTTP/2 connection.
    String path = "/websocket/chat?from=page";
    assertEquals(
        List.of("wss://localhost:" + nginxPorts.https() + path + " 101"), fromNginx.webSockets());
    assertEquals(List.of(), fromNginx.http2WebSockets());
    assertEquals(
        List.of("wss://localhost:" + wharfPorts.https() + path + " 200"), fromWharf.webSockets());
    assertEquals(
        List.of("https://localhost:" + wharfPorts.https() + path), fromWharf.http2WebSockets());
    Await.until(
        BOUND,
        () ->
            WharfMetrics.requests(wharfAdmin, curl, WharfMetrics.h2WebSockets("test.com-websocket"))
                == h2Before + 1,
        () -> WharfMetrics.scrape(wharfAdmin, curl));
    // The backend saw the same WebSocket handshake through each.
    RecordedRequest viaNginx = backend.takeRequest(BOUND);
    assertEquals(1000, backend.takeWebSocketCloseCode(BOUND));
    RecordedRequest viaWharf = backend.takeRequest(BOUND);
    assertEquals(1000, backend.takeWebSocketCloseCode(BOUND));
    assertEquals(path, viaNginx.uri());
    assertEquals(path, viaWharf.uri());
    for (String name :
        List.of("Host", "X-Real-IP", "X-Forwarded-For", "Upgrade", "Sec-WebSocket-Version")) {
      assertEquals(lower(viaNginx.header(name)), lower(viaWharf.header(name)), name);
    }
    assertNotNull(viaWharf.header("Origin"), "a browser's handshake");
    assertEquals(0, backend.pendingRequests(), "nothing else reached the backend");
  }

  private static List<String> withoutReasons(List<String> consoleErrors) {
    return consoleErrors.stream().map(e -> e.replaceAll(" \\([^)]*\\)$", "")).toList();
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
