package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.FreePorts;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two nginx setups of the seed documents, as written in deploy/examples, served by a real node:
 * only the listener port, the log path, the backend address and the static root (a temporary
 * directory) are changed for the test.
 */
@ExtendWith(NettyLeakExtension.class)
class SeedsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Path EXAMPLES = Path.of("..", "deploy", "examples");

  @TempDir Path dir;
  private final TestBackend backend = TestBackend.start("seed");
  private TestNode node;
  private int port;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    backend.close();
  }

  /** The seed's config on a free loopback port, its upstreams pointing at the test backend. */
  private void serve(String file) throws Exception {
    Config.Builder config = ConfigDocuments.load(EXAMPLES.resolve(file)).toBuilder();
    config.getListenersBuilder(0).setAddress("127.0.0.1");
    if (config.getListeners(0).hasAccessLog()) {
      config
          .getListenersBuilder(0)
          .getAccessLogBuilder()
          .setPath(dir.resolve("access.log").toString());
    }
    for (var route : config.getRoutesBuilderList()) {
      if (route.hasStatic()) {
        route.getStaticBuilder().setRoot(dir.resolve("html").toString());
      }
    }
    for (var upstream : config.getUpstreamsBuilderList()) {
      upstream.clearEndpoints().addEndpoints(Endpoint.newBuilder().setAddress(backend.endpoint()));
    }
    node =
        FreePorts.retryWhenTaken(
            1,
            ports -> {
              config.getListenersBuilder(0).setPort(ports.get(0));
              return TestNode.builder().hostname("seedhost").start(config.build());
            });
    port = node.address(config.getListeners(0).getName()).getPort();
  }

  private String curl(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-D", "-"));
    command.addAll(List.of(args));
    CommandRunner.Result r = CommandRunner.run(WAIT, command);
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdout();
  }

  @Test
  void spaSeedApiIsRewrittenWithTheForwardingHeaders() throws Exception {
    serve("seed-spa-api-websocket.yaml");

    String out =
        curl(
            "-H",
            "X-Forwarded-For: 203.0.113.9",
            "http://127.0.0.1:" + port + "/api/orders/7?sort=desc");

    RecordedRequest seen = backend.takeRequest(WAIT);
    assertTrue(out.startsWith("HTTP/1.1 200"), out);
    assertEquals("/orders/7?sort=desc", seen.uri());
    assertEquals("127.0.0.1", seen.header("Host"));
    assertEquals("127.0.0.1", seen.header("X-Real-IP"));
    assertEquals("203.0.113.9, 127.0.0.1", seen.header("X-Forwarded-For"));
  }

  @Test
  void spaSeedServesTheAppFallsBackToItAndCompressesItsStyles() throws Exception {
    Files.createDirectories(dir.resolve("html"));
    Files.writeString(dir.resolve("html/index.html"), "<!doctype html><div id=app></div>\n");
    String css = ".a { color: red; }\n".repeat(40);
    Files.writeString(dir.resolve("html/app.css"), css);
    serve("seed-spa-api-websocket.yaml");

    String home = curl("http://127.0.0.1:" + port + "/");
    String deepLink = curl("http://127.0.0.1:" + port + "/orders/7/edit");
    String styles = curl("--compressed", "http://127.0.0.1:" + port + "/app.css");

    assertTrue(home.startsWith("HTTP/1.1 200") && home.endsWith("<div id=app></div>\n"), home);
    assertTrue(
        deepLink.startsWith("HTTP/1.1 200") && deepLink.endsWith("<div id=app></div>\n"),
        "try_files falls back to /index.html: " + deepLink);
    assertTrue(styles.toLowerCase().contains("content-encoding: gzip"), styles);
    assertTrue(styles.endsWith(css), "curl inflated it to the file");
  }

  @Test
  void spaSeedCaptureRelaysWebSocketsAndKeepsPlainRequestsOnPooledConnections() throws Exception {
    serve("seed-spa-api-websocket.yaml");

    try (WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/capture"))) {
      ws.send(s -> s.sendText("frame", true));
      assertEquals("frame", ws.nextMessage(WAIT));
      ws.send(s -> s.sendClose(1000, ""));
      assertEquals(1000, ws.closeCode().get(10, TimeUnit.SECONDS));
    }
    try (RawHttp http = new RawHttp(new java.net.InetSocketAddress("127.0.0.1", port))) {
      RawHttp.Response first = http.exchange("GET /capture/a HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response second = http.exchange("GET /capture/b HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(
          first.headers().get("x-connection"),
          second.headers().get("x-connection"),
          "no Connection: close upstream on plain requests: the nginx keep-alive trap is gone");
    }
  }

  @Test
  void tengineSeedRelaysWebSocketsAndLogsInItsFormat() throws Exception {
    serve("seed-tengine-websocket.yaml");

    try (WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/websocket/s"))) {
      ws.send(s -> s.sendText("ping?", true));
      assertEquals("ping?", ws.nextMessage(WAIT));
      ws.send(s -> s.sendClose(1000, ""));
      assertEquals(1000, ws.closeCode().get(10, TimeUnit.SECONDS));
    }
    RecordedRequest upgrade = backend.takeRequest(WAIT);
    assertEquals("127.0.0.1", upgrade.header("X-Real-IP"));
    node.close();
    node = null;

    String log = Files.readString(dir.resolve("access.log"));
    assertTrue(
        log.matches(
            "127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /websocket/s HTTP/1\\.1\" "
                + "\"\\d+\\.\\d{3}\" \"\\d+\\.\\d{3}\"101 0 \"-\" \"[^\"]*\" - 127\\.0\\.0\\.1 seedhost\n"),
        log);
  }
}
