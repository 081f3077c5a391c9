package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import io.micrometer.core.instrument.Counter;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator and the node see around an htpasswd file: the "refused, last good kept" state as
 * a Prometheus series, and a client that leaves while its bcrypt check runs off the event loop. The
 * file and password executors are the test's: a task runs only when the test says so.
 */
@ExtendWith(NettyLeakExtension.class)
class AccessFileMetersAndClosedClientTest {
  // bcrypt (cost 4) and base64(sha1), both of "secret"
  private static final String USERS =
      """
      bee:$2y$04$rPiErEQa2qdd8XYqiMt5Hev1Ru4qmOl4fJTPuiuDIgyrui2cTXxGi
      sha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=
      """;

  @TempDir Path dir;
  private final MockTicker ticker = Ticker.newMockTicker();
  private final ConcurrentLinkedQueue<Runnable> fileTasks = new ConcurrentLinkedQueue<>();
  private TestBackend backend;
  private TestNode node;
  private Path users;

  @BeforeEach
  void start() throws Exception {
    users = dir.resolve("htpasswd");
    Files.writeString(users, USERS);
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .ticker(ticker)
            .files(fileTasks::add)
            .passwords(fileTasks::add)
            .admin()
            .start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %d}
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    routes:
                      - name: auth
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                        basic_auth: {enabled: true, realm: r, user_file: "%s"}
                    """
                        .formatted(ports.next(), backend.endpoint(), users));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private void runFileTasks() {
    for (Runnable task = fileTasks.poll(); task != null; task = fileTasks.poll()) {
      task.run();
    }
  }

  private RawHttp.Response get(String userAndPassword) throws Exception {
    String auth =
        Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return http.exchange(
          "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + auth + "\r\n\r\n");
    }
  }

  private String scrape() throws Exception {
    return Http.get(node.adminUri("/metrics")).body();
  }

  private String staleLine() throws Exception {
    String file = users.toAbsolutePath().normalize().toString();
    return scrape()
        .lines()
        .filter(l -> l.startsWith("wharf_htpasswd_stale{") && l.contains("file=\"" + file + "\""))
        .findFirst()
        .orElse("none");
  }

  @Test
  void aRefusedUserFileIsAPrometheusSeriesUntilAGoodOneIsRead() throws Exception {
    assertTrue(staleLine().endsWith(" 0.0"), staleLine());
    Files.writeString(users, "sha:plaintext-is-refused\n");
    ticker.advance(2, TimeUnit.SECONDS);
    assertEquals(200, get("sha:secret").status(), "the last good users stay in use");
    runFileTasks(); // the re-read the request asked for
    assertTrue(staleLine().endsWith(" 1.0"), staleLine());
    assertTrue(scrape().contains("wharf_htpasswd_reloads_total{"), "reads are counted");
    Files.writeString(users, USERS + "new:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
    ticker.advance(2, TimeUnit.SECONDS);
    assertEquals(200, get("sha:secret").status());
    runFileTasks();
    assertTrue(staleLine().endsWith(" 0.0"), staleLine());
    assertEquals(200, get("new:secret").status());
  }

  @Test
  void aClientThatLeavesDuringABcryptCheckEndsAs499AndTheNodeKeepsServing() throws Exception {
    RawHttp client = new RawHttp(node.address("web"));
    String wrong = Base64.getEncoder().encodeToString("bee:wrong".getBytes(StandardCharsets.UTF_8));
    client.send("GET /gone HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + wrong + "\r\n\r\n");
    Await.until(Duration.ofSeconds(30), () -> fileTasks.size() >= 2, () -> "no bcrypt task");
    client.close();
    Await.until(
        Duration.ofSeconds(30),
        () ->
            node.registry().get("wharf.connections.active").tag("listener", "web").gauge().value()
                == 0,
        () -> "the node did not see the client leave");
    runFileTasks(); // the check ends after the client left
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          Counter c = node.registry().find("wharf.requests").tag("status", "499").counter();
          return c != null && c.count() == 1.0;
        },
        () -> "the request did not end as 499");
    assertEquals(200, get("sha:secret").status(), "the node keeps serving");
    assertEquals("/", backend.takeRequest(Http.TIMEOUT).uri());
    backend.assertNoUnconsumedRequests();
  }
}
