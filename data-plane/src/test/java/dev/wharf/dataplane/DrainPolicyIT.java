package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain policies on a real node process with real WebSocket clients (the JDK's): config changes
 * that do not touch a connection never disturb it; removing an endpoint closes its WebSockets with
 * 1001, after the policy's timeout, spread out and never faster than the cap.
 */
class DrainPolicyIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<WsClient> clients = new ArrayList<>();
  private final ExecutorService connectors = Executors.newFixedThreadPool(16);

  @AfterEach
  void closeClients() {
    clients.forEach(WsClient::close);
    connectors.shutdownNow();
  }

  private static String config(int port, String endpoints, String drain, String apiBody) {
    return """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: chat
            endpoints: [%s]
            %s
        routes:
          - {name: ws, match: {path: {prefix: /ws}}, proxy: {upstream: chat}}
          - {name: api, match: {path: {prefix: /api}}, respond: {body: "%s"}}
        """
        .formatted(port, endpoints, drain, apiBody);
  }

  private List<WsClient> connect(int n, int port) {
    URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    List<CompletableFuture<WsClient>> opening = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> WsClient.connect(uri), connectors));
    }
    List<WsClient> opened = opening.stream().map(CompletableFuture::join).toList();
    clients.addAll(opened);
    return opened;
  }

  private static void sendAll(List<WsClient> batch, String tag) {
    for (int i = 0; i < batch.size(); i++) {
      String text = tag + "-" + i;
      batch.get(i).send(s -> s.sendText(text, true));
    }
  }

  private static void expectEchoes(List<WsClient> batch, String tag) throws InterruptedException {
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(tag + "-" + i, batch.get(i).nextMessage(BOUND), "client " + i);
    }
  }

  // A thousand WebSockets on a loaded 2-core machine: 40 s measured, over the 2 min default.
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  @Test
  void aThousandWebSocketsSurviveAHundredChangesThatDoNotTouchTheirRoute() throws Exception {
    try (TestBackend backend = TestBackend.start("chat")) {
      String endpoints = "{address: \"" + backend.endpoint() + "\"}";
      String drain = "drain: {timeout: 0s, spread: 0s}"; // the harshest policy
      try (FileFedNode node =
          FileFedNode.startOnFreePort(dir, p -> config(p, endpoints, drain, "v0"), List.of())) {
        int port = node.port();
        List<WsClient> all = connect(1000, port);
        sendAll(all, "hello");
        expectEchoes(all, "hello");

        for (int change = 1; change <= 100; change++) {
          // A tenth of the clients has a message in flight while each change is applied.
          List<WsClient> batch = all.subList((change % 10) * 100, (change % 10) * 100 + 100);
          sendAll(batch, "during-" + change);
          node.apply(config(port, endpoints, drain, "v" + change));
          expectEchoes(batch, "during-" + change);
        }
        sendAll(all, "after");
        expectEchoes(all, "after");

        assertTrue(all.stream().noneMatch(c -> c.closeCode().isDone()), "a client was closed");
        assertEquals(1000, backend.openConnections());
        assertEquals(1000.0, node.metric("wharf_websockets_active{route=\"ws\"}"));
        assertEquals(0.0, node.metric("wharf_drain_closes_total{reason=\"endpoint_removed\"}"));
        assertEquals(101, node.servedVersion(), "every change was applied");
      }
    }
  }

  // A thousand WebSockets on a loaded 2-core machine: 40 s measured, over the 2 min default.
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  @Test
  void removingAnEndpointClosesItsWebSocketsWith1001SpreadWithinTheCap() throws Exception {
    try (TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b")) {
      int cap = 50;
      String drain = "drain: {timeout: 1s, spread: 2s, max_closes_per_second: " + cap + "}";
      String both = "{address: \"" + a.endpoint() + "\"}, {address: \"" + b.endpoint() + "\"}";
      try (FileFedNode node =
          FileFedNode.startOnFreePort(
              dir, p -> config(p, both, drain, "v0"), List.of(DrainLog.DEBUG))) {
        int port = node.port();
        List<WsClient> all = connect(400, port);
        Await.until(
            BOUND,
            () -> a.openConnections() == 200 && b.openConnections() == 200,
            () -> "round robin: a " + a.openConnections() + ", b " + b.openConnections());

        node.apply(config(port, "{address: \"" + b.endpoint() + "\"}", drain, "v1"));
        Await.until(
            BOUND,
            () -> all.stream().filter(c -> c.closeCode().isDone()).count() >= 200,
            () -> all.stream().filter(c -> c.closeCode().isDone()).count() + " closed");

        List<WsClient> closed = all.stream().filter(c -> c.closeCode().isDone()).toList();
        List<WsClient> open = all.stream().filter(c -> !c.closeCode().isDone()).toList();
        assertEquals(200, closed.size());
        for (WsClient c : closed) {
          assertEquals(1001, c.closeCode().get(), "a close frame, not a dropped connection");
        }
        for (int i = 0; i < 200; i++) {
          assertEquals(1001, a.takeWebSocketCloseCode(BOUND), "the backend got 1001 too");
        }
        // The timing on the node's clock (its log): the clients' callbacks run in this JVM with
        // 400 clients and both backends, and a loaded machine bunches them up or delays them.
        List<Long> times =
            DrainLog.closeDelaysMicros(node.output(), "endpoint_removed").stream()
                .sorted()
                .toList();
        assertEquals(200, times.size(), "the node logged each close");
        double first = seconds(times.get(0));
        double span = seconds(times.get(199) - times.get(0));
        assertTrue(first >= 1.0, "the first close came " + first + " s after the change");
        // 200 closes within a 2 s window would be 100/s; the cap stretches them to 199/50 s. A
        // busy node only makes them later, never closer together.
        assertTrue(span >= 199.0 / cap - 0.001, "closes took " + span + " s");
        int busiest = busiestSecond(times);
        assertTrue(busiest <= cap + 1, busiest + " closes in one second, cap " + cap);

        assertEquals(200, open.size());
        sendAll(open, "still-here");
        expectEchoes(open, "still-here");
        assertEquals(200, b.openConnections(), "connections to the other endpoint untouched");
        assertEquals(200.0, node.metric("wharf_drain_closes_total{reason=\"endpoint_removed\"}"));
        assertEquals(0.0, node.metric("wharf_drain_pending"));
        assertFalse(node.output().contains("Exception"), node.output());
      }
    }
  }

  private static double seconds(long micros) {
    return micros / (double) TimeUnit.SECONDS.toMicros(1);
  }

  /** The most closes within any one second ({@code sortedTimes} in microseconds). */
  private static int busiestSecond(List<Long> sortedTimes) {
    int most = 0;
    int j = 0;
    for (int i = 0; i < sortedTimes.size(); i++) {
      while (j < sortedTimes.size()
          && sortedTimes.get(j) - sortedTimes.get(i) < TimeUnit.SECONDS.toMicros(1)) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    return most;
  }
}
