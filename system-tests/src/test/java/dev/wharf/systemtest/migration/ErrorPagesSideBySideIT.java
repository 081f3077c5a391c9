package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
  private static final String INDEX = "<!doctype html><title>spa</title>\n";
  private static final String SORRY = "<p>sorry, try later</p>\n";

  @TempDir static Path dir;
  private static SideBySide sbs;

  @BeforeAll
  static void start() throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("index.html"), INDEX);
    Files.writeString(www.resolve("50x.html"), SORRY);
    sbs =
        SideBySide.start(
            dir,
            SideBySide.http(
                """
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
                      proxy_pass http://UNUSED1;
                      error_page 502 /50x.html;
                    }
                    location /dead/ {
                      proxy_pass http://UNUSED1;
                    }
                  }
                """
                    .replace("WWW", www.toString())),
            "b");
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  /**
   * What a client sees of {@code target} on each proxy: the status, the {@code location} header,
   * and the body unless the response is a redirect (whose body is nginx's HTML or Wharf's text, a
   * documented difference); nginx's and Wharf's asserted equal, Wharf's returned.
   */
  private static List<String> same(String target) throws Exception {
    return sbs.same(
        "GET " + target,
        port -> {
          SideBySide.Answer a = sbs.get(port, target, "site.test");
          List<String> view = new ArrayList<>();
          view.add(Integer.toString(a.status()));
          String location = a.header("location");
          if (location != null) {
            view.add("location:" + location.strip());
          }
          if (a.status() / 100 != 3) {
            view.add(a.body());
          }
          return view;
        });
  }

  @Test
  void anSpasMissingPathIsItsIndexWith404OrWithTheStatusGiven() throws Exception {
    assertEquals(List.of("404", INDEX), same("/deep/link"));
    assertEquals(List.of("200", INDEX), same("/app/settings"));
    // not POST: Wharf's static routes answer it 405 before looking the file up, nginx 404 (and
    // so its page) for a missing file; written down in docs/migrating-from-nginx.md
    assertEquals(List.of("200", INDEX), same("/index.html"));
  }

  @Test
  void anEqualsSignAloneTakesThePagesOwnStatus() throws Exception {
    assertEquals(List.of("200", INDEX), same("/own/missing"));
  }

  @Test
  void aLocationsOwnErrorPageReplacesTheServersAndMayRedirectToAUrl() throws Exception {
    assertEquals(List.of("301", "location:http://example.test/"), same("/old/missing"));
  }

  @Test
  void aDeadUpstreamsBadGatewayIsTheFiftyXPage() throws Exception {
    assertEquals(List.of("502", SORRY), same("/down/x"));
  }

  @Test
  void aDeadUpstreamsBadGatewayToAGetKeepsTheConnectionAsNginxDoes() throws Exception {
    for (int port : sbs.ports()) {
      try (RawHttp http = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
        for (String path : List.of("/dead/a", "/dead/b", "/index.html")) {
          RawHttp.Response r =
              http.exchange("GET " + path + " HTTP/1.1\r\nHost: site.test\r\n\r\n");
          assertEquals(path.startsWith("/dead/") ? 502 : 200, r.status(), path + ", port " + port);
          assertFalse(
              "close".equalsIgnoreCase(r.headers().get("connection")),
              "kept alive after " + path + ", port " + port + ": " + r.headers());
        }
      }
    }
  }

  @Test
  void anInterceptedEndpointErrorIsThePageAndItsBodyStaysBehind() throws Exception {
    assertEquals(List.of("503", SORRY), same("/api/status/503?q=1"));
    RecordedRequest fromNginx = sbs.backend().takeRequest(sbs.bound());
    RecordedRequest fromWharf = sbs.backend().takeRequest(sbs.bound());
    assertEquals(fromNginx.method(), fromWharf.method());
    assertEquals("/status/503?q=1", fromNginx.uri());
    assertEquals(fromNginx.uri(), fromWharf.uri());
    // a status the location has no page for passes, with the endpoint's body
    assertEquals(List.of("404", "status 404\n"), same("/api/status/404"));
    sbs.backend().takeRequest(sbs.bound());
    sbs.backend().takeRequest(sbs.bound());
  }
}
