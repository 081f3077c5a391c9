package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second seed (a Tengine WebSocket proxy: {@code location ^~ /websocket} to an upstream, with
 * its main file's process, buffer, cache and FastCGI tuning) run by a real nginx and, through
 * {@code wharfctl import-nginx}, by a real Wharf node, side by side: the WebSocket echoes through
 * both, the backend receives the same handshake headers, other paths get the same status. Only its
 * addresses and file locations are changed.
 */
class TengineSeedSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Path SEED =
      Path.of(
          "..",
          "admin-cli",
          "src",
          "test",
          "resources",
          "nginx",
          "seeds",
          "001-tengine-websocket",
          "home",
          "apps",
          "tengine",
          "conf");

  @TempDir static Path dir;
  private static TestBackend backend;
  private static NginxProcess nginx;
  private static JarProcess wharf;
  private static int nginxPort;
  private static int wharfPort;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    backend = TestBackend.start("ws");
    // Each on fresh ports, written again on others when one was taken before the bind.
    NginxProcess.Listening listening =
        NginxProcess.startOnFreePorts(
            1,
            dir.resolve("nginx"),
            ports -> {
              Path conf = write(dir.resolve("nginx"), ports.get(0));
              SeedSetup.makeReadable(dir);
              return conf;
            },
            BOUND);
    nginx = listening.nginx();
    nginxPort = listening.ports().get(0);

    wharf =
        FreePorts.retryWhenTaken(
            1,
            ports -> {
              wharfPort = ports.get(0);
              Path conf = write(dir.resolve("wharf"), wharfPort);
              SeedSetup.makeReadable(dir);
              return ImportedNode.start(dir, conf, BOUND);
            });
    Await.until(BOUND, () -> status(nginxPort, "/") > 0, nginx::errors);
  }

  /** The seed's two files under {@code root}, with this test's port, backend and paths. */
  private static Path write(Path root, int port) throws Exception {
    Path conf = root.resolve("conf");
    Files.createDirectories(conf);
    String main =
        Files.readString(SEED.resolve("nginx.conf"))
            .replace("user apps apps;", "") // no such user here; root's workers run as nobody
            .replace("/dev/shm/temp", root.resolve("temp").toAbsolutePath().toString())
            .replace("/dev/shm/cache", root.resolve("cache").toAbsolutePath().toString())
            .replace(
                "include /home/apps/tengine/conf/test.com;",
                "include " + conf.resolve("test.com").toAbsolutePath() + ";");
    String site =
        Files.readString(SEED.resolve("test.com"))
            .replace("listen       80;", "listen 127.0.0.1:" + port + ";")
            .replace("192.168.1.5:9000", backend.endpoint());
    Files.writeString(conf.resolve("nginx.conf"), main);
    Files.writeString(conf.resolve("test.com"), site);
    Files.copy(SeedSetup.MIME_TYPES, conf.resolve("mime.types"));
    return conf.resolve("nginx.conf");
  }

  @AfterAll
  static void stop() throws Exception {
    if (wharf != null) {
      wharf.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @BeforeEach
  void forgetEarlierRequests() {
    while (backend.pendingRequests() > 0) {
      backend.takeRequest(BOUND);
    }
  }

  @Test
  void theWebSocketEchoesThroughBothAndTheBackendSeesTheSameHandshake() throws Exception {
    RecordedRequest[] handshakes = new RecordedRequest[2];
    int[] ports = {nginxPort, wharfPort};
    for (int i = 0; i < 2; i++) {
      try (WsClient ws =
          WsClient.connect(URI.create("ws://127.0.0.1:" + ports[i] + "/websocket/chat?room=1"))) {
        String hello = "hello " + i;
        ws.send(s -> s.sendText(hello, true));
        assertEquals("hello " + i, ws.nextMessage(BOUND));
        ws.send(s -> s.sendClose(1000, ""));
        assertEquals(1000, ws.closeCode().get(BOUND.toSeconds(), TimeUnit.SECONDS));
      }
      handshakes[i] = backend.takeRequest(BOUND);
      assertEquals(1000, backend.takeWebSocketCloseCode(BOUND));
    }
    RecordedRequest viaNginx = handshakes[0];
    RecordedRequest viaWharf = handshakes[1];
    assertEquals("GET /websocket/chat?room=1", viaNginx.method() + " " + viaNginx.uri());
    assertEquals(
        viaNginx.method() + " " + viaNginx.uri(), viaWharf.method() + " " + viaWharf.uri());
    for (String name :
        List.of("Host", "X-Real-IP", "X-Forwarded-For", "Upgrade", "Sec-WebSocket-Version")) {
      assertEquals(lower(viaNginx.header(name)), lower(viaWharf.header(name)), name);
    }
    assertEquals(
        lower(viaNginx.header("Connection")),
        lower(viaWharf.header("Connection")),
        "Connection: upgrade");
  }

  @Test
  void plainRequestsGetTheSameStatusAndReachTheSamePath() throws Exception {
    for (String path : List.of("/websocket/status?x=1", "/elsewhere", "/")) {
      int viaNginx = status(nginxPort, path);
      // Http.status says -1 when no response came: two silent servers are not "the same status".
      assertTrue(viaNginx > 0, "nginx answered " + path);
      assertEquals(viaNginx, status(wharfPort, path), path);
    }
    RecordedRequest viaNginx = backend.takeRequest(BOUND);
    RecordedRequest viaWharf = backend.takeRequest(BOUND);
    assertEquals("/websocket/status?x=1", viaNginx.uri());
    assertEquals(viaNginx.uri(), viaWharf.uri());
    assertEquals(viaNginx.header("X-Real-IP"), viaWharf.header("X-Real-IP"));
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }

  private static int status(int port, String path) {
    return Http.status(URI.create("http://127.0.0.1:" + port + path), BOUND);
  }
}
