package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.JarProcess;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend process killed (SIGKILL) under WebSocket load through a real node: every client reads a
 * close frame ({@code 1014}), none sees its connection just end (1006), which is what a browser
 * reported before.
 */
@ExtendWith(NettyLeakExtension.class)
class BackendKillIT {
  private static final int CLIENTS = 40;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void everyClientOfAKilledBackendGetsACloseFrame() throws Exception {
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            EchoBackendMain.class.getName());
    List<WsClient> clients = new ArrayList<>();
    try (JarProcess backend = JarProcess.start("backend", dir, java)) {
      String endpoint = backend.awaitLine("endpoint ", WAIT);
      try (TestNode node =
          TestNode.start(
              ports ->
                  """
                  listeners:
                    - {name: web, address: 127.0.0.1, port: %d}
                  upstreams:
                    - name: app
                      endpoints: [{address: "%s"}]
                  routes:
                    - name: chat
                      match: {path: {prefix: /ws}}
                      proxy: {upstream: app}
                  """
                      .formatted(ports.next(), endpoint))) {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < CLIENTS; i++) {
          WsClient c = WsClient.connect(http, node.wsUri("web", "/ws/" + i));
          clients.add(c);
          c.send(s -> s.sendText("before", true));
          assertEquals("before", c.nextMessage(WAIT));
        }
        // Load while the process dies: every client has messages on the way.
        for (WsClient c : clients) {
          c.socket().sendText("in flight", true);
        }
        ProcessHandle.of(backend.pid()).orElseThrow().destroyForcibly();

        Map<String, Integer> outcomes = new TreeMap<>();
        for (WsClient c : clients) {
          outcomes.merge(outcome(c), 1, Integer::sum);
        }
        assertEquals(Map.of("close 1014", CLIENTS), outcomes);
      } finally {
        clients.forEach(WsClient::close);
      }
    }
  }

  private static String outcome(WsClient c) throws InterruptedException {
    try {
      return "close " + c.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return "no close frame: " + e.getCause().getClass().getSimpleName();
    } catch (TimeoutException e) {
      return "nothing within " + WAIT;
    }
  }
}
