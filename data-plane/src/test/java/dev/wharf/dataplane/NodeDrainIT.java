package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM a real node under load: what its clients see, in the order docs/operations.md gives. */
class NodeDrainIT {
  private static final Path JAR = Path.of("target", "wharf-data-plane.jar");
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void readinessFlipsFirstThenInFlightRequestsFinishWebSocketsGet1001AndTheNodeExits()
      throws Exception {
    try (TestBackend backend = TestBackend.start("backend")) {
      List<Integer> ports = FreePorts.loopback(2);
      int web = ports.get(0);
      Path config = dir.resolve("wharf.yaml");
      Files.writeString(
          config,
          """
          listeners:
            - {name: web, address: 127.0.0.1, port: %d}
          upstreams:
            - name: backend
              endpoints: [{address: "%s"}]
          routes:
            - {name: all, match: {path: {prefix: /}}, proxy: {upstream: backend}}
          """
              .formatted(web, backend.endpoint()));
      try (JarProcess node =
          JarProcess.startJar(
              "node",
              dir,
              JAR,
              List.of(
                  "--config",
                  config.toString(),
                  "--admin",
                  "127.0.0.1:" + ports.get(1),
                  "--workers",
                  "1",
                  "--drain-grace",
                  "3s",
                  "--drain-timeout",
                  "15s"))) {
        node.awaitLine("listening: web", BOUND);
        WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + web + "/ws"));
        String readyz = "http://127.0.0.1:" + ports.get(1) + "/readyz";
        assertEquals(200, get(readyz));
        ws.send(s -> s.sendText("before the drain", true));
        assertEquals("before the drain", ws.nextMessage(BOUND));
        CompletableFuture<String> inFlight =
            CompletableFuture.supplyAsync(
                () -> rawGet(web, "/slow?ms=5000")); // still running when the grace ends
        backend.takeRequest(BOUND); // the slow request is at the backend

        long sigterm = System.nanoTime();
        ProcessHandle.of(node.pid()).orElseThrow().destroy();

        Await.until(BOUND, () -> get(readyz) == 503, () -> "readyz still 200");
        // The order the name claims: readiness flipped while nothing was closed yet (the closes
        // wait for the 3 s grace).
        assertFalse(ws.closeCode().isDone(), "the WebSocket was closed before readiness flipped");
        assertFalse(inFlight.isDone(), "the in-flight request ended before readiness flipped");
        assertEquals(
            200,
            get("http://127.0.0.1:" + web + "/status/200"),
            "during the grace period new requests are still served");
        String response = inFlight.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(
            response.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n"), response);
        assertTrue(response.endsWith("slow\n"), response);
        assertEquals(1001, ws.closeCode().get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        Await.until(BOUND, () -> !node.isAlive(), node::output);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        assertTrue(tookMillis < 15_000, "exited after " + tookMillis + " ms");
        assertTrue(node.output().contains("drained in"), node.output());
        ws.close();
      }
    }
  }

  @Test
  void webSocketsGetTheir1001SpreadOverThePolicysWindowNotAllAtOnce() throws Exception {
    try (TestBackend backend = TestBackend.start("backend")) {
      List<Integer> ports = FreePorts.loopback(2);
      int web = ports.get(0);
      Path config = dir.resolve("wharf.yaml");
      Files.writeString(
          config,
          """
          listeners:
            - {name: web, address: 127.0.0.1, port: %d}
          upstreams:
            - name: backend
              endpoints: [{address: "%s"}]
              drain: {spread: 2s, max_closes_per_second: 1000}
          routes:
            - {name: all, match: {path: {prefix: /}}, proxy: {upstream: backend}}
          """
              .formatted(web, backend.endpoint()));
      try (JarProcess node =
          JarProcess.startJar(
              "node",
              dir,
              JAR,
              List.of(
                  "--config",
                  config.toString(),
                  "--admin",
                  "127.0.0.1:" + ports.get(1),
                  "--workers",
                  "1",
                  "--drain-grace",
                  "0s",
                  "--drain-timeout",
                  "15s"))) {
        node.awaitLine("listening: web", BOUND);
        List<WsClient> clients = new ArrayList<>();
        ConcurrentLinkedQueue<Long> closedAt = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 50; i++) {
          WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + web + "/ws"));
          ws.closeCode().thenRun(() -> closedAt.add(System.nanoTime()));
          clients.add(ws);
        }

        ProcessHandle.of(node.pid()).orElseThrow().destroy();

        Await.until(BOUND, () -> !node.isAlive(), node::output);
        for (WsClient ws : clients) {
          assertEquals(1001, ws.closeCode().get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
          ws.close();
        }
        List<Long> times = closedAt.stream().sorted().toList();
        double span = (times.get(49) - times.get(0)) / 1e9;
        assertTrue(span >= 1.5, "50 closes over a 2 s spread came within " + span + " s");
        assertTrue(node.output().contains("drained in"), node.output());
      }
    }
  }

  private static int get(String url) {
    return Http.status(URI.create(url));
  }

  /** The whole response on a raw connection, read until the node closes it. */
  private static String rawGet(int port, String path) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) BOUND.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: wharf\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
