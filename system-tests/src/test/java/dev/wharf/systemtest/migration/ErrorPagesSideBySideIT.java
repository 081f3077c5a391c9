package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code error_page} and {@code proxy_intercept_errors} run by a real nginx and, through {@code
 * wharfctl import-nginx}, by a real Wharf node: an SPA's 404 answered from its index (with 404 and
 * with {@code =200}), a dead upstream's 502 and an endpoint's intercepted 503 answered from {@code
 * /50x.html}, {@code =301} to a URL, {@code =} taking the page's own status, and a location whose
 * own {@code error_page} replaces the server's. Same statuses, same {@code Location}, same bodies
 * (for pages served from files), the same request at the backend.
 */
class ErrorPagesSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String INDEX = "<!doctype html><title>spa</title>\n";
  private static final String SORRY = "<p>sorry, try later</p>\n";

  @TempDir static Path dir;
  private static TestBackend backend;
  private static NginxProcess nginx;
  private static JarProcess wharf;
  private static int nginxPort;
  private static int wharfPort;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    backend = TestBackend.start("b");
    List<Integer> ports = FreePorts.loopback(3);
    nginxPort = ports.get(0);
    wharfPort = ports.get(1);
    int dead = ports.get(2); // nothing listens there
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("index.html"), INDEX);
    Files.writeString(www.resolve("50x.html"), SORRY);
    Path nginxConf = write(dir.resolve("nginx"), nginxPort, dead, www);
    Path wharfConf = write(dir.resolve("wharf"), wharfPort, dead, www);
    SeedSetup.makeReadable(dir);
    Path prefix = dir.resolve("nginx");
    nginx = NginxProcess.start(prefix, nginxConf, "pid " + prefix.resolve("nginx.pid") + ";");
    wharf = ImportedNode.start(dir, wharfConf, BOUND);
    Await.until(BOUND, () -> answers(nginxPort), nginx::errors);
  }

  private static Path write(Path at, int port, int dead, Path www) throws IOException {
    Files.createDirectories(at.resolve("logs"));
    String conf =
        """
        worker_processes 1;
        events { worker_connections 64; }
        http {
          access_log off;
          server {
            listen 127.0.0.1:PORT;
            root WWW;
            error_page 404 /index.html;
            location / { }
            location /app/ { error_page 404 =200 /index.html; }
            location /own/ { error_page 404 = /index.html; }
            location /old/ { error_page 404 =301 http://example.test/; }
            location /api/ {
              proxy_pass http://BACKEND/;
              proxy_intercept_errors on;
              error_page 500 502 503 504 /50x.html;
            }
            location /down/ {
              proxy_pass http://127.0.0.1:DEAD;
              error_page 502 /50x.html;
            }
          }
        }
        """
            .replace("PORT", Integer.toString(port))
            .replace("DEAD", Integer.toString(dead))
            .replace("WWW", www.toString())
            .replace("BACKEND", backend.endpoint());
    Path file = at.resolve("nginx.conf");
    Files.writeString(file, conf);
    return file;
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

  private static boolean answers(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * One request on a raw socket: the status, the {@code location} header, and the body unless the
   * response is a redirect (whose body is nginx's HTML or Wharf's text, a documented difference).
   */
  private static List<String> seen(int port, String method, String target) throws IOException {
    String raw =
        method + " " + target + " HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n";
    String response;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) BOUND.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    int end = response.indexOf("\r\n\r\n");
    String[] head = response.substring(0, end).split("\r\n");
    List<String> view = new ArrayList<>();
    String status = head[0].split(" ")[1];
    view.add(status);
    for (int i = 1; i < head.length; i++) {
      String lower = head[i].toLowerCase(Locale.ROOT);
      if (lower.startsWith("location:")) {
        view.add("location:" + head[i].substring(head[i].indexOf(':') + 1).strip());
      }
    }
    if (!status.startsWith("3")) {
      view.add(response.substring(end + 4));
    }
    return view;
  }

  private static List<String> same(String method, String target) throws IOException {
    List<String> fromNginx = seen(nginxPort, method, target);
    List<String> fromWharf = seen(wharfPort, method, target);
    assertEquals(fromNginx, fromWharf, method + " " + target);
    return fromWharf;
  }

  @Test
  void anSpasMissingPathIsItsIndexWith404OrWithTheStatusGiven() throws Exception {
    assertEquals(List.of("404", INDEX), same("GET", "/deep/link"));
    assertEquals(List.of("200", INDEX), same("GET", "/app/settings"));
    // not POST: Wharf's static routes answer it 405 before looking the file up, nginx 404 (and
    // so its page) for a missing file; written down in docs/migrating-from-nginx.md
    assertEquals(List.of("200", INDEX), same("GET", "/index.html"));
  }

  @Test
  void anEqualsSignAloneTakesThePagesOwnStatus() throws Exception {
    assertEquals(List.of("200", INDEX), same("GET", "/own/missing"));
  }

  @Test
  void aLocationsOwnErrorPageReplacesTheServersAndMayRedirectToAUrl() throws Exception {
    assertEquals(List.of("301", "location:http://example.test/"), same("GET", "/old/missing"));
  }

  @Test
  void aDeadUpstreamsBadGatewayIsTheFiftyXPage() throws Exception {
    assertEquals(List.of("502", SORRY), same("GET", "/down/x"));
  }

  @Test
  void anInterceptedEndpointErrorIsThePageAndItsBodyStaysBehind() throws Exception {
    assertEquals(List.of("503", SORRY), same("GET", "/api/status/503?q=1"));
    RecordedRequest fromNginx = backend.takeRequest(BOUND);
    RecordedRequest fromWharf = backend.takeRequest(BOUND);
    assertEquals(fromNginx.method(), fromWharf.method());
    assertEquals("/status/503?q=1", fromNginx.uri());
    assertEquals(fromNginx.uri(), fromWharf.uri());
    // a status the location has no page for passes, with the endpoint's body
    assertEquals(List.of("404", "status 404\n"), same("GET", "/api/status/404"));
    backend.takeRequest(BOUND);
    backend.takeRequest(BOUND);
  }
}
