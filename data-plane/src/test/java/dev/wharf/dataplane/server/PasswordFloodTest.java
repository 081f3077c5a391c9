package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.access.PasswordCheckPool;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of bcrypt checks (wrong passwords for a known user) against a node's real password pool:
 * once its threads and queue are taken, a request needing a check is answered 503 with {@code
 * Retry-After} at once and nothing reaches the backend; the connection stays and serves the next
 * request when a slot is free; static files, on their own threads, are never held behind the flood.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(60)
class PasswordFloodTest {
  // bcrypt (cost 4) of "secret"
  private static final String USERS =
      "bee:$2y$04$rPiErEQa2qdd8XYqiMt5Hev1Ru4qmOl4fJTPuiuDIgyrui2cTXxGi\n";

  @TempDir Path dir;
  private final SimpleMeterRegistry passwordMeters = new SimpleMeterRegistry();
  private final ExecutorService passwords = PasswordCheckPool.create(2, passwordMeters);
  private final CountDownLatch release = new CountDownLatch(1);
  private TestBackend backend;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    Path users = dir.resolve("htpasswd");
    Files.writeString(users, USERS);
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/index.html"), "static page\n");
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .passwords(passwords)
            .start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %d}
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    routes:
                      - name: files
                        match: {path: {prefix: /www/}}
                        static: {root: "%s"}
                      - name: auth
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                        basic_auth: {enabled: true, realm: r, user_file: "%s"}
                    """
                        .formatted(ports.next(), backend.endpoint(), dir, users));
  }

  @AfterEach
  void stop() {
    release.countDown();
    node.close();
    passwords.shutdownNow();
    backend.close();
  }

  /** Takes the pool's one thread and every queue slot, as a flood of guesses would. */
  private void fillThePool() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    passwords.execute(
        () -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    running.await();
    try {
      while (true) {
        passwords.execute(() -> {});
      }
    } catch (RejectedExecutionException full) {
      // every slot is taken
    }
  }

  private static String request(String path, String userAndPassword) {
    String auth =
        Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    return "GET " + path + " HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + auth + "\r\n\r\n";
  }

  @Test
  void aCheckThatFindsNoSlotIs503WithRetryAfterAndTheConnectionServesTheNextRequest()
      throws Exception {
    fillThePool();
    try (RawHttp http = new RawHttp(node.address("web"))) {
      RawHttp.Response busy = http.exchange(request("/app", "bee:secret"));
      assertEquals(503, busy.status());
      assertEquals("1", busy.headers().get("retry-after"));
      assertEquals(null, busy.headers().get("www-authenticate"), "not a credentials problem");

      RawHttp.Response page = http.exchange("GET /www/index.html HTTP/1.1\r\nHost: a\r\n\r\n");
      assertEquals(200, page.status(), "static files do not wait behind the flood");
      assertEquals("static page\n", page.body());

      release.countDown(); // the flood ends: slots free up
      RawHttp.Response ok = http.exchange(request("/app", "bee:secret"));
      assertEquals(200, ok.status(), "the same connection serves the next request");
    }
    assertEquals("/app", backend.takeRequest(dev.wharf.dataplane.testing.Http.TIMEOUT).uri());
    backend.assertNoUnconsumedRequests(); // the refused request never reached the backend
    assertEquals(true, passwordMeters.get("wharf.password_checks.refused").counter().count() >= 2);
  }
}
