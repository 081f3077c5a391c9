package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Variables of {@code maps} (nginx {@code map}) through a real node: in request and response header
 * rules, a rewrite, a respond body and a redirect; exact keys before host wildcards before regexes;
 * and hostile input: a regex that backtracks for ever in java.util.regex answers at once, and a CR
 * LF a map takes from the request never splits a header.
 */
@ExtendWith(NettyLeakExtension.class)
class MapVariablesEndToEndTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static TestBackend backend;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - {name: app, endpoints: [{address: "%s"}]}
        maps:
          - variable: tier
            source: $http_x_tier
            default_value: basic
            entries:
              - {key: gold, value: premium}
              - {key: "~*^plat(\\\\d+)$", value: "platinum-$1"}
              - {key: "~^g", value: "g-something"}
          - variable: site
            source: $host
            hostnames: true
            default_value: "none"
            entries:
              - {key: "*.example.com", value: wild}
              - {key: "*.eu.example.com", value: eu}
              - {key: "www.example.*", value: prefixed}
              - {key: ".example.org", value: org}
              - {key: "shop.example.com", value: "exact-$tier"}
          - variable: evil
            source: $http_x_evil
            default_value: safe
            entries: [{key: "~^(a+)+$", value: matched}]
          - variable: tail
            source: $uri
            entries: [{key: "~(?s)^/api/m/(.*)$", value: "$1"}]
        routes:
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app, rewrite: {regex: "^/api/(.*)$", replacement: "/$tier/$1"}}
            request_headers:
              set: [{name: X-Tier, value: $tier}, {name: X-Site, value: $site},
                    {name: X-Evil, value: $evil}, {name: X-Tail, value: $tail}]
            response_headers:
              add: [{name: X-Tier, value: $tier}, {name: X-Tail, value: $tail}]
          - name: say
            match: {path: {exact: /say}}
            respond: {body: "tier=$tier site=$site"}
          - name: go
            match: {path: {exact: /go}}
            redirect: {location: "https://$tier.example.net/"}
        """
                    .formatted(ports.next(), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  private static RawHttp.Response send(String target, String host, String... headers)
      throws Exception {
    StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String h : headers) {
      raw.append(h).append("\r\n");
    }
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return http.exchange(raw.append("\r\n").toString());
    }
  }

  private static String body(String host, String... headers) throws Exception {
    RawHttp.Response r = send("/say", host, headers);
    assertEquals(200, r.status());
    return r.body();
  }

  @Test
  void exactKeysAreCaseInsensitiveAndRegexesTriedInOrder() throws Exception {
    assertEquals("tier=premium site=none", body("a", "X-Tier: GOLD"));
    assertEquals("tier=platinum-42 site=none", body("a", "X-Tier: Plat42"));
    assertEquals("tier=g-something site=none", body("a", "X-Tier: gx"));
    assertEquals("tier=basic site=none", body("a"));
  }

  @Test
  void hostKeysFollowNginxsOrder() throws Exception {
    assertEquals("tier=basic site=exact-basic", body("shop.example.com"));
    assertEquals("tier=basic site=wild", body("a.example.com"));
    assertEquals("tier=basic site=eu", body("x.eu.example.com"));
    assertEquals("tier=basic site=prefixed", body("www.example.de"));
    assertEquals("tier=basic site=org", body("example.org"));
    assertEquals("tier=basic site=org", body("deep.down.example.org."));
    assertEquals("tier=basic site=none", body("example.com"));
  }

  @Test
  void aMapFeedsRewritesRequestAndResponseHeadersAndRedirects() throws Exception {
    RawHttp.Response r = send("/api/x?q=1", "a", "X-Tier: gold");
    assertEquals(200, r.status());
    assertEquals("premium", r.headers().get("x-tier"));
    RecordedRequest got = backend.takeRequest(BOUND);
    assertEquals("/premium/x?q=1", got.uri());
    assertEquals("premium", got.header("X-Tier"));
    assertEquals("none", got.header("X-Site"));

    RawHttp.Response moved = send("/go", "a", "X-Tier: plat7");
    assertEquals(302, moved.status());
    assertEquals("https://platinum-7.example.net/", moved.headers().get("location"));
  }

  @Test
  void aRegexThatWouldBacktrackForEverAnswersAtOnce() throws Exception {
    // (a+)+$ against a*N + '!' takes 2^N steps in java.util.regex; RE2/J is linear.
    RawHttp.Response r = send("/api/e", "a", "X-Evil: " + "a".repeat(6000) + "!");
    assertEquals(200, r.status());
    assertEquals("safe", backend.takeRequest(BOUND).header("X-Evil"));
    send("/api/e", "a", "X-Evil: " + "a".repeat(6000));
    assertEquals("matched", backend.takeRequest(BOUND).header("X-Evil"));
  }

  @Test
  void aCrLfAMapTakesFromTheRequestNeverSplitsAHeader() throws Exception {
    RawHttp.Response r = send("/api/m/a%0d%0aInjected:%20yes", "a");

    assertEquals(200, r.status());
    assertEquals("a%0D%0AInjected: yes", r.headers().get("x-tail"));
    assertTrue(r.headers().keySet().stream().noneMatch(k -> k.equalsIgnoreCase("injected")));
    RecordedRequest got = backend.takeRequest(BOUND);
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, String> e : got.headers()) {
      lines.add(e.getKey() + ": " + e.getValue());
    }
    assertTrue(lines.contains("X-Tail: a%0D%0AInjected: yes"), lines.toString());
    assertTrue(
        lines.stream().noneMatch(l -> l.toLowerCase().startsWith("injected")), lines.toString());
  }
}
