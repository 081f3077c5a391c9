package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's location corner cases side by side: the automatic 301 of a proxied location ending in
 * {@code /}, {@code proxy_pass} with the captures of a regex location and with a host set by {@code
 * set}, and {@code proxy_redirect} (implicit default, off, explicit pairs and a regex). One nginx
 * file, run by a real nginx and, through {@code wharfctl import-nginx}, by a real Wharf node: the
 * same statuses, the same Location (resolved against the request's URL: nginx writes it absolute,
 * Wharf relative, as documented) and Refresh, and the same request at the backend.
 */
class LocationsSideBySideIT {
  private static final Duration BOUND = SideBySide.BOUND;

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend app;

  @BeforeAll
  static void start() throws Exception {
    sbs =
        SideBySide.start(
            dir,
            SideBySide.http(
                """
              upstream app { server BACKEND; }
              server {
                listen 127.0.0.1:PORT;
                set $backend app;
                location / { proxy_pass http://app; }
                location /static/ { proxy_pass http://app; }
                location = /exact { return 200 "exact"; }
                location /exact/ { proxy_pass http://app; }
                location /files { return 200 "files"; }
                location /files/ { proxy_pass http://app; }
                location ~ ^/users/(\\d+)$ { proxy_pass http://app/u/$1$is_args$args; }
                location ~ ^/cap/([^?]*)$ { proxy_pass http://app/c/$1; }
                location /dyn/ { proxy_pass http://$backend; }
                location /v1/ { proxy_pass http://app/; }
                location /kept/ { proxy_pass http://app/; proxy_redirect off; }
                location /mapped/ {
                  proxy_pass http://app/;
                  proxy_redirect http://elsewhere.test/ /mapped/;
                  proxy_redirect ~^https?://old\\.test:(\\d+)/ /legacy$1/;
                }
              }
            """),
            "app");
    app = sbs.backend();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  @BeforeEach
  void forgetWhatEarlierTestsSent() {
    sbs.forgetBackendRequests();
  }

  /** What a client sees of one answer, with Location resolved against the request's URL. */
  private record Seen(int status, String location, String refresh, String body) {}

  /** What the backend received of one request, or "-" when nothing. */
  private record Backend(String target, String host) {}

  private record Both(Seen seen, Backend backend) {}

  private static Both exchange(int port, String target) throws Exception {
    SideBySide.Answer r = sbs.get(port, target, "127.0.0.1:" + port);
    String location = r.header("location");
    if (location != null) {
      URI base = URI.create("http://127.0.0.1:" + port + "/");
      location = base.resolve(location).toString().replace(":" + port + "/", ":PORT/");
    }
    String body = r.status() == 301 ? "(a redirect page)" : r.body();
    Seen seen = new Seen(r.status(), location, r.header("refresh"), body);
    Backend backend = new Backend("-", "-");
    if (app.pendingRequests() > 0) {
      RecordedRequest got = app.takeRequest(BOUND);
      backend = new Backend(got.uri(), got.header("Host"));
    }
    return new Both(seen, backend);
  }

  /** The same request to nginx and to Wharf: the same answer and the same request upstream. */
  private static Both same(String target) throws Exception {
    return sbs.same(target, port -> exchange(port, target));
  }

  @Test
  void theSlashlessPrefixOfAProxiedLocationIs301ToTheSlashedOneWithItsQuery() throws Exception {
    Both b = same("/static?a=1&b=%20");
    assertEquals(301, b.seen().status());
    assertEquals("http://127.0.0.1:PORT/static/?a=1&b=%20", b.seen().location());
    assertEquals("-", b.backend().target(), "nothing reaches the backend");
    assertEquals(301, same("/static").seen().status());
    assertEquals(301, same("/dyn").seen().status(), "a proxy_pass with variables too");
  }

  @Test
  void anExactOrPrefixLocationOfThatPathIsServedInstead() throws Exception {
    assertEquals("exact", same("/exact").seen().body());
    assertEquals("files", same("/files").seen().body());
  }

  @Test
  void pathsNextToTheSlashlessOneAreNotRedirected() throws Exception {
    assertEquals(new Backend("/staticx", "app"), same("/staticx").backend());
    assertEquals(new Backend("/static/a.js?v=1", "app"), same("/static/a.js?v=1").backend());
  }

  @Test
  void regexCapturesAndArgumentsMakeTheTargetSent() throws Exception {
    assertEquals(new Backend("/u/42?x=1", "app"), same("/users/42?x=1").backend());
    assertEquals(new Backend("/u/42", "app"), same("/users/42").backend());
    assertEquals(new Backend("/users/4x", "app"), same("/users/4x").backend());
  }

  @Test
  void capturesAreTakenFromTheDecodedNormalisedPath() throws Exception {
    assertEquals(new Backend("/c/a/b", "app"), same("/cap/a%2Fb").backend());
    assertEquals(new Backend("/c/y", "app"), same("/cap/x/%2e%2e/y").backend());
  }

  @Test
  void aHostSetToAnUpstreamNameProxiesToThatUpstream() throws Exception {
    assertEquals(new Backend("/dyn/x?q=1", "app"), same("/dyn/x?q=1").backend());
  }

  @Test
  void theImplicitDefaultRewritesTheProxiedAddressBackToTheLocation() throws Exception {
    Both b = same("/v1/redirect?to=http://%7Bhost%7D/next");
    assertEquals("http://127.0.0.1:PORT/v1/next", b.seen().location());
    assertEquals("5; url=/v1/next", b.seen().refresh());
    Both root = same("/redirect?to=http://app/x%3Fy");
    assertEquals("http://127.0.0.1:PORT/x?y", root.seen().location());
  }

  @Test
  void offLeavesTheHeadersAsTheBackendSentThem() throws Exception {
    Both b = same("/kept/redirect?to=http://app/next");
    assertEquals("http://app/next", b.seen().location());
  }

  @Test
  void explicitPairsAndRegexesReplaceTheDefaultAndARegexReplacesTheWholeUrl() throws Exception {
    assertEquals(
        "http://127.0.0.1:PORT/mapped/a",
        same("/mapped/redirect?to=http://elsewhere.test/a").seen().location());
    assertEquals(
        "http://127.0.0.1:PORT/legacy8443/",
        same("/mapped/redirect?to=https://old.test:8443/b").seen().location());
    assertEquals(
        "http://app/c", same("/mapped/redirect?to=http://app/c").seen().location(), "no default");
    assertEquals(
        "http://elsewhere.test.evil/a",
        same("/mapped/redirect?to=http://elsewhere.test.evil/a").seen().location());
  }
}
