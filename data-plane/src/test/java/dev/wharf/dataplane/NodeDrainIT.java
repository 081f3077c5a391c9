package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
      try (JarProcess node = startNode(backend, "", "3s")) {
        int web = port(node.awaitLine("listening: web on", BOUND)); // the port it bound
        WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + web + "/ws"));
        String readyz = "http://" + node.awaitLine("admin:", BOUND) + "/readyz";
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
        assertReadinessFlippedAGraceBeforeTheFirstClose(node.output(), Duration.ofSeconds(3));
        ws.close();
      }
    }
  }

  /**
   * The order the name claims, from the node's own log (a client polling /readyz on a loaded
   * machine may see the 503 after the grace is over): readiness turned first, then the grace
   * passed, then connections were told to go away (the in-flight request's {@code Connection:
   * close}), then the WebSocket's 1001 went out. Each line is logged before the step that follows
   * it, so the order of the lines is the order of the steps.
   */
  private static void assertReadinessFlippedAGraceBeforeTheFirstClose(
      String output, Duration grace) {
    List<String> lines = output.lines().toList();
    int notReady = DrainLog.lineIndex(lines, "draining: not ready any more");
    int goingAway = DrainLog.lineIndex(lines, "draining: listeners closed; telling");
    int firstClose = DrainLog.lineIndex(lines, "drain: closing a connection (node_drain)");
    assertTrue(notReady < goingAway && goingAway < firstClose, output);
    Duration waited =
        Duration.between(
            DrainLog.timestamp(lines.get(notReady)), DrainLog.timestamp(lines.get(goingAway)));
    // The grace starts a moment before its line is logged (readiness turns first), so the lines
    // are a little less than the grace apart; a second less still shows the grace between them.
    assertTrue(waited.compareTo(grace.minusSeconds(1)) >= 0, "grace " + waited + "\n" + output);
  }

  @Test
  void webSocketsGetTheir1001SpreadOverThePolicysWindowNotAllAtOnce() throws Exception {
    try (TestBackend backend = TestBackend.start("backend")) {
      try (JarProcess node =
          startNode(backend, "drain: {spread: 2s, max_closes_per_second: 1000}", "0s")) {
        int web = port(node.awaitLine("listening: web on", BOUND)); // the port it bound
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          clients.add(WsClient.connect(URI.create("ws://127.0.0.1:" + web + "/ws")));
        }

        ProcessHandle.of(node.pid()).orElseThrow().destroy();

        Await.until(BOUND, () -> !node.isAlive(), node::output);
        for (WsClient ws : clients) {
          assertEquals(1001, ws.closeCode().get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
          ws.close();
        }
        // On the node's clock (its log), after the drain began: the i-th of 50 is booked at
        // i/50 of the 2 s spread. A busy node fires them late, which only moves them later.
        List<Long> delays = DrainLog.closeDelaysMicros(node.output(), "node_drain");
        assertEquals(50, delays.size(), node.output());
        long last = delays.stream().mapToLong(Long::longValue).max().orElseThrow();
        long inFirstSecond = delays.stream().filter(d -> d < 1_000_000).count();
        assertTrue(last >= 1_900_000, "the last close came " + last + " us after the drain began");
        assertTrue(inFirstSecond <= 25, inFirstSecond + " of 50 closes in the first second of 2");
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

  /**
   * The node jar proxying to {@code backend} on a fresh web port, once it says it listens; when the
   * port was taken before the node bound it, the node exits saying so and starts again on another.
   * Its admin binds port 0 (it prints the port: {@code admin: HOST:PORT}).
   */
  private JarProcess startNode(TestBackend backend, String upstreamExtra, String grace)
      throws Exception {
    return FreePorts.retryWhenTaken(
        1,
        ports -> {
          Path config = dir.resolve("wharf.yaml");
          Files.writeString(
              config,
              """
              listeners:
                - {name: web, address: 127.0.0.1, port: %d}
              upstreams:
                - name: backend
                  endpoints: [{address: "%s"}]
                  %s
              routes:
                - {name: all, match: {path: {prefix: /}}, proxy: {upstream: backend}}
              """
                  .formatted(ports.get(0), backend.endpoint(), upstreamExtra));
          JarProcess node =
              JarProcess.startJarWithJvmOptions(
                  "node",
                  dir,
                  JAR,
                  List.of(DrainLog.DEBUG),
                  List.of(
                      "--config",
                      config.toString(),
                      "--admin",
                      "127.0.0.1:0",
                      "--workers",
                      "1",
                      "--drain-grace",
                      grace,
                      "--drain-timeout",
                      "15s"));
          try {
            node.awaitLine("listening: web", BOUND);
          } catch (RuntimeException | AssertionError e) {
            node.close();
            throw e;
          }
          return node;
        });
  }

  /** The port of {@code HOST:PORT}. */
  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }
}
