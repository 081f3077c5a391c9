package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private static final Duration BOUND = SideBySide.BOUND;

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend backend;

  @BeforeAll
  static void start() throws Exception {
    sbs =
        SideBySide.start(
            dir,
            SideBySide.http(
                """
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
            """),
            "b");
    backend = sbs.backend();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  /**
   * One request on a raw socket (so any Host can be sent): the status, the {@code x-tier} and
   * {@code location} headers, and for a 200 the body.
   */
  private static List<String> seen(int port, String target, String host, String... headers)
      throws IOException {
    SideBySide.Answer r = sbs.get(port, target, host, headers);
    List<String> view = new ArrayList<>();
    view.add(Integer.toString(r.status()));
    view.addAll(r.headers("x-tier", "location"));
    if (view.get(0).equals("200") && target.equals("/say")) {
      view.add(r.body());
    }
    return view;
  }

  private static List<String> same(String target, String host, String... headers) throws Exception {
    return sbs.same(
        target + " " + host + " " + List.of(headers), port -> seen(port, target, host, headers));
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
