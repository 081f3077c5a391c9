package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.MissingTool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** benchmarks/ws-echo.c, the origin of benchmarks/run.sh, compiled and driven by the load tools. */
class WsEchoOriginTest {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  private static Process origin;
  private static int port;

  @BeforeAll
  static void compileAndStart() throws Exception {
    Path gcc = MissingTool.require("gcc");
    Path source = Path.of("ws-echo.c").toAbsolutePath();
    Path binary = Path.of("target", "ws-echo-test").toAbsolutePath();
    Process cc =
        new ProcessBuilder(
                gcc.toString(), "-O2", "-o", binary.toString(), source.toString(), "-lcrypto")
            .redirectErrorStream(true)
            .start();
    String ccOutput = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc did not finish");
    if (cc.exitValue() != 0 && ccOutput.contains("openssl/")) {
      MissingTool.missing("OpenSSL's headers (libssl-dev) are missing: " + ccOutput);
    }
    assertEquals(0, cc.exitValue(), ccOutput);
    assertTrue(Files.isExecutable(binary));
    origin = new ProcessBuilder(binary.toString(), "0").redirectErrorStream(true).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(origin.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("listening "), "ws-echo said: " + line);
    port = Integer.parseInt(line.substring("listening ".length()).trim());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (origin != null) {
      origin.destroy();
      origin.waitFor(10, TimeUnit.SECONDS);
      origin.destroyForcibly();
    }
  }

  private static URI ws() {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  @Test
  void echoesEveryMessageAndClosesWith1000() throws InterruptedException {
    EchoLoad.Result r =
        EchoLoad.run(ws(), null, 8, 1, Duration.ofMillis(500), 200, HANDSHAKE_TIMEOUT, 200);
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals(r.messages(), r.roundTrips().count());
  }

  @Test
  void openCloseCyclesAllEndCleanly() throws InterruptedException {
    CyclesLoad.Result r = CyclesLoad.run(ws(), null, 100, 1, HANDSHAKE_TIMEOUT, 10);
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals(100, r.opened());
  }

  @Test
  void aPlainRequestGetsHelloAndTheConnectionClosed() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/small"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals("hello\n", response.body());
  }
}
