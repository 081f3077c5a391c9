package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * allow/deny, basic auth and satisfy through a real node, with the outcomes nginx 1.22 gave on the
 * same rules (checked by hand with curl against nginx serving files; AccessSideBySideIT is the
 * automated comparison): statuses, the challenge header, and that a refused request never reaches
 * the backend.
 */
@ExtendWith(NettyLeakExtension.class)
class AccessControlEndToEndTest {
  // made by libxcrypt (bcrypt, cost 4), openssl passwd -apr1, and base64(sha1): all "secret"
  private static final String USERS =
      """
      # users
      bee:$2y$04$rPiErEQa2qdd8XYqiMt5Hev1Ru4qmOl4fJTPuiuDIgyrui2cTXxGi
      apr:$apr1$sAlT1234$mTR3kJvaUqLN49hZ/5Ro2.
      sha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=
      """;

  @TempDir Path dir;
  private final MockTicker ticker = Ticker.newMockTicker();
  private final AtomicInteger fileTasks = new AtomicInteger();
  private final ExecutorService files = Executors.newSingleThreadExecutor();
  private TestBackend backend;
  private TestNode node;
  private Path users;

  @BeforeEach
  void start() throws Exception {
    users = dir.resolve("htpasswd");
    Files.writeString(users, USERS);
    backend = TestBackend.start("b");
    String auth =
        "basic_auth: {enabled: true, realm: \"Staff only\", user_file: \"" + users + "\"}";
    node =
        TestNode.builder()
            .ticker(ticker)
            .files(
                task -> {
                  fileTasks.incrementAndGet();
                  files.execute(task);
                })
            .start(
                ports ->
                    """
            listeners:
              - name: web
                address: 127.0.0.1
                port: %d
                real_ip: {trusted_sources: ["127.0.0.0/8"]}
            upstreams:
              - name: app
                endpoints: [{address: "%s"}]
            routes:
              - name: denied
                match: {path: {prefix: /denied}}
                proxy: {upstream: app}
                access: {rules: [{allow: true, source: "10.0.0.0/8"}, {allow: false, source: all}]}
              - name: v6
                match: {path: {prefix: /v6}}
                proxy: {upstream: app}
                access: {rules: [{allow: false, source: "2001:db8::/32"}, {allow: true, source: "::ffff:127.0.0.1"}, {allow: false, source: "127.0.0.0/8"}]}
              - name: auth
                match: {path: {prefix: /auth}}
                proxy: {upstream: app}
                %s
              - name: all
                match: {path: {prefix: /all}}
                proxy: {upstream: app}
                access: {rules: [{allow: false, source: "192.0.2.0/24"}]}
                %s
              - name: any
                match: {path: {prefix: /any}}
                proxy: {upstream: app}
                satisfy: any
                access: {rules: [{allow: true, source: "10.0.0.0/8"}, {allow: false, source: "192.0.2.0/24"}]}
                %s
              - name: off
                match: {path: {prefix: /auth/open}}
                proxy: {upstream: app}
                basic_auth: {enabled: false}
            """
                        .formatted(ports.next(), backend.endpoint(), auth, auth, auth));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
    files.shutdownNow();
  }

  private RawHttp.Response get(String path, String... headerLines) throws Exception {
    StringBuilder raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: a\r\n");
    for (String line : headerLines) {
      raw.append(line).append("\r\n");
    }
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return http.exchange(raw.append("\r\n").toString());
    }
  }

  private static String basic(String userAndPassword) {
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  /** Asserts the status, and that the backend got the request exactly when it was 200. */
  private void assertStatus(int status, RawHttp.Response response) {
    assertEquals(status, response.status(), response.body());
    if (status == 200) {
      assertEquals("/", backend.takeRequest(Duration.ofSeconds(30)).uri().substring(0, 1));
    } else {
      backend.assertNoUnconsumedRequests();
    }
  }

  @Test
  void theFirstMatchingRuleDecidesOnTheRealClientAddress() throws Exception {
    assertStatus(403, get("/denied")); // 127.0.0.1: deny all
    assertStatus(200, get("/denied", "X-Forwarded-For: 10.9.8.7"));
    assertStatus(403, get("/denied", "X-Forwarded-For: 11.0.0.1"));
    assertStatus(403, get("/denied", "X-Forwarded-For: 2001:db8::1"));
    assertNull(get("/denied").headers().get("www-authenticate"));
  }

  @Test
  void ipv6RulesAndIpv4MappedRulesAreComparedAsNginxDoes() throws Exception {
    assertStatus(403, get("/v6", "X-Forwarded-For: 2001:db8::7"));
    // nginx never matches an IPv4 client against a rule written as ::ffff:a.b.c.d
    assertStatus(403, get("/v6"));
    assertStatus(200, get("/v6", "X-Forwarded-For: 2001:db9::1"));
  }

  @Test
  void eachHashSchemeLetsTheRightPasswordInAndChallengesEveryOtherRequest() throws Exception {
    RawHttp.Response none = get("/auth");
    assertStatus(401, none);
    assertEquals("Basic realm=\"Staff only\"", none.headers().get("www-authenticate"));
    for (String user : new String[] {"bee", "apr", "sha"}) {
      assertStatus(200, get("/auth", basic(user + ":secret")));
      assertStatus(200, get("/auth", basic(user + ":secret"))); // bcrypt: from the cache
      RawHttp.Response wrong = get("/auth", basic(user + ":Secret"));
      assertStatus(401, wrong);
      assertEquals("Basic realm=\"Staff only\"", wrong.headers().get("www-authenticate"));
    }
    assertStatus(401, get("/auth", basic("nobody:secret")));
    assertStatus(200, get("/auth/open")); // basic_auth disabled on the inner route
  }

  @Test
  void hostileAuthorizationHeadersAreAnswered401AndReachNothing() throws Exception {
    assertStatus(401, get("/auth", "Authorization: Basic !!!not-base64"));
    assertStatus(401, get("/auth", basic("bee")));
    assertStatus(401, get("/auth", basic(":secret")));
    assertStatus(401, get("/auth", basic("bee\r\nX-Injected: 1:secret")));
    assertStatus(401, get("/auth", "Authorization: Basic"));
    assertStatus(401, get("/auth", "Authorization: Bearer " + "x".repeat(100)));
    assertStatus(200, get("/auth", "Authorization: basic   " + basic("bee:secret").substring(21)));
    RawHttp.Response huge = get("/auth", "Authorization: Basic " + "QUFB".repeat(16 * 1024));
    assertNotEquals(200, huge.status());
    backend.assertNoUnconsumedRequests();
  }

  @Test
  void satisfyAllRefusesADeniedAddressWhateverItsCredentials() throws Exception {
    assertStatus(403, get("/all", "X-Forwarded-For: 192.0.2.9", basic("sha:secret")));
    assertStatus(401, get("/all", "X-Forwarded-For: 198.51.100.1"));
    assertStatus(200, get("/all", "X-Forwarded-For: 198.51.100.1", basic("sha:secret")));
  }

  @Test
  void satisfyAnyLetsAnAllowedAddressInAndAsksEveryoneElseForCredentials() throws Exception {
    assertStatus(200, get("/any", "X-Forwarded-For: 10.1.1.1"));
    assertStatus(401, get("/any", "X-Forwarded-For: 192.0.2.9"));
    assertStatus(200, get("/any", "X-Forwarded-For: 192.0.2.9", basic("apr:secret")));
    assertStatus(401, get("/any")); // no rule matched 127.0.0.1: credentials decide
    assertStatus(200, get("/any", basic("bee:secret")));
  }

  @Test
  void theUserFileIsReReadWhenItChangesAndGarbageKeepsTheLastGoodOne() throws Exception {
    assertStatus(401, get("/auth", basic("new:secret")));
    Files.writeString(users, USERS + "new:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    ticker.advance(2, TimeUnit.SECONDS);
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          try {
            return get("/auth", basic("new:secret")).status() == 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        () -> "the new user is not accepted");
    backend.takeRequest(Duration.ofSeconds(30)); // only the 200 reached it
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    Files.write(users, garbage);
    ticker.advance(2, TimeUnit.SECONDS);
    int before = fileTasks.get();
    assertStatus(200, get("/auth", basic("new:secret"))); // triggers the re-read
    Await.until(Duration.ofSeconds(30), () -> fileTasks.get() > before, () -> "no re-read");
    // the re-read ran on the single file thread; a task after it proves it finished
    java.util.concurrent.CompletableFuture.runAsync(() -> {}, files).get();
    assertStatus(200, get("/auth", basic("new:secret")));
    assertStatus(200, get("/auth", basic("bee:secret")));
    assertStatus(401, get("/auth", basic("bee:wrong")));
  }
}
