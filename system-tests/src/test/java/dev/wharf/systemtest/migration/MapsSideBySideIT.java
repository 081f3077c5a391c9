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
 * {@code map} blocks (exact keys, {@code ~*} regexes with captures, {@code default}, {@code
 * hostnames} with wildcard keys) used in {@code proxy_set_header}, {@code add_header}, a {@code
 * rewrite} and {@code return}, run by a real nginx and, through {@code wharfctl import-nginx}, by a
 * real Wharf node: the same statuses, headers and bodies at the client, the same request at the
 * backend.
 */
class MapsSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

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
    List<Integer> ports = FreePorts.loopback(2);
    nginxPort = ports.get(0);
    wharfPort = ports.get(1);
    Path nginxConf = write(dir.resolve("nginx"), nginxPort);
    Path wharfConf = write(dir.resolve("wharf"), wharfPort);
    SeedSetup.makeReadable(dir);
    Path prefix = dir.resolve("nginx");
    nginx = NginxProcess.start(prefix, nginxConf, "pid " + prefix.resolve("nginx.pid") + ";");
    wharf = ImportedNode.start(dir, wharfConf, BOUND);
    Await.until(BOUND, () -> answers(nginxPort), nginx::errors);
  }

  private static Path write(Path at, int port) throws IOException {
    Files.createDirectories(at.resolve("logs"));
    String conf =
        """
        worker_processes 1;
        events { worker_connections 64; }
        http {
          access_log off;
          map $http_x_tier $tier {
            default basic;
            gold premium;
            ~*^plat(\\d+)$ platinum-$1;
            ~^g g-other;
          }
          map $host $site {
            hostnames;
            default none;
            *.example.com wild;
            www.example.* prefixed;
            .example.org org;
            shop.example.com "exact-$tier";
          }
          server {
            listen 127.0.0.1:PORT;
            location /api/ {
              proxy_pass http://BACKEND;
              proxy_set_header X-Tier $tier;
              proxy_set_header X-Site $site;
              add_header X-Tier $tier always;
              rewrite ^/api/(.*)$ /$tier/$1 break;
            }
            location = /say { return 200 "tier=$tier site=$site\\n"; }
            location = /go { return 302 https://$tier.example.net/; }
          }
        }
        """
            .replace("PORT", Integer.toString(port))
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
   * One request on a raw socket (so any Host can be sent): the status, the {@code x-tier} and
   * {@code location} headers, and for a 200 the body.
   */
  private static List<String> seen(int port, String target, String host, String... headers)
      throws IOException {
    StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String h : headers) {
      raw.append(h).append("\r\n");
    }
    raw.append("Connection: close\r\n\r\n");
    String response;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) BOUND.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(raw.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    int end = response.indexOf("\r\n\r\n");
    String[] head = response.substring(0, end).split("\r\n");
    List<String> view = new ArrayList<>();
    view.add(head[0].split(" ")[1]);
    for (int i = 1; i < head.length; i++) {
      String lower = head[i].toLowerCase(Locale.ROOT);
      if (lower.startsWith("x-tier:") || lower.startsWith("location:")) {
        view.add(
            lower.substring(0, lower.indexOf(':'))
                + ":"
                + head[i].substring(head[i].indexOf(':') + 1).strip());
      }
    }
    if (view.get(0).equals("200") && target.equals("/say")) {
      view.add(response.substring(end + 4));
    }
    return view;
  }

  private static List<String> same(String target, String host, String... headers)
      throws IOException {
    List<String> fromNginx = seen(nginxPort, target, host, headers);
    List<String> fromWharf = seen(wharfPort, target, host, headers);
    assertEquals(fromNginx, fromWharf, target + " " + host + " " + List.of(headers));
    return fromWharf;
  }

  @Test
  void exactKeysRegexesWithCapturesAndTheDefault() throws Exception {
    assertEquals(List.of("200", "tier=premium site=none\n"), same("/say", "a", "X-Tier: gold"));
    assertEquals(List.of("200", "tier=premium site=none\n"), same("/say", "a", "X-Tier: GOLD"));
    assertEquals(
        List.of("200", "tier=platinum-42 site=none\n"), same("/say", "a", "X-Tier: PLAT42"));
    assertEquals(List.of("200", "tier=g-other site=none\n"), same("/say", "a", "X-Tier: gx"));
    assertEquals(List.of("200", "tier=basic site=none\n"), same("/say", "a"));
  }

  @Test
  void hostnameKeysMatchAsNginxMatchesThem() throws Exception {
    assertEquals(List.of("200", "tier=basic site=exact-basic\n"), same("/say", "shop.example.com"));
    assertEquals(List.of("200", "tier=basic site=wild\n"), same("/say", "a.b.example.com"));
    assertEquals(List.of("200", "tier=basic site=prefixed\n"), same("/say", "www.example.de"));
    assertEquals(List.of("200", "tier=basic site=org\n"), same("/say", "example.org"));
    assertEquals(List.of("200", "tier=basic site=org\n"), same("/say", "x.example.org"));
    assertEquals(List.of("200", "tier=basic site=none\n"), same("/say", "example.com"));
  }

  @Test
  void aMapFeedsTheRewriteTheRequestHeadersAndTheResponseHeaders() throws Exception {
    assertEquals(
        List.of("200", "x-tier:premium"), same("/api/x?q=1", "a.example.com", "X-Tier: gold"));
    RecordedRequest fromNginx = backend.takeRequest(BOUND);
    RecordedRequest fromWharf = backend.takeRequest(BOUND);
    for (RecordedRequest got : List.of(fromNginx, fromWharf)) {
      assertEquals("/premium/x?q=1", got.uri());
      assertEquals("premium", got.header("X-Tier"));
      assertEquals("wild", got.header("X-Site"));
    }
  }

  @Test
  void aMapFeedsARedirect() throws Exception {
    assertEquals(
        List.of("302", "location:https://platinum-7.example.net/"),
        same("/go", "a", "X-Tier: plat7"));
  }
}
