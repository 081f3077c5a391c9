package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The load tools against the backend directly, as benchmarks/run.sh uses them through proxies. */
class BenchBackendAndLoadTest {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  private static BenchBackend backend;

  @BeforeAll
  static void startBackend() throws InterruptedException {
    backend = BenchBackend.start(0);
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  private static URI url(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + backend.port() + path);
  }

  @Test
  void anyPathIsAnsweredWithTheFixedBodyOverKeepAlive() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (String path : new String[] {"/", "/keepalive/x?y=1"}) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(url("http", path)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      assertEquals("hello\n", response.body());
    }
  }

  @Test
  void echoLoadMeasuresRoundTripsAndClosesCleanly() throws InterruptedException {
    EchoLoad.Result r =
        EchoLoad.run(
            url("ws", "/ws"), null, 4, 1, Duration.ofMillis(500), 64, HANDSHAKE_TIMEOUT, 200);
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals(4, r.opened());
    assertEquals(r.messages(), r.roundTrips().count());
    assertTrue(r.roundTrips().valueAtPercentile(99) > 0);
  }

  @Test
  void idleLoadReportsReadyHoldsAndClosesEveryConnectionWith1000() throws InterruptedException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // No hold file: released as soon as everything is open.
    IdleLoad.Result r =
        IdleLoad.run(
            url("ws", "/ws"),
            null,
            300,
            1,
            HANDSHAKE_TIMEOUT,
            50,
            Path.of("target", "no-such-hold-file"),
            Duration.ofSeconds(30),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals("ready 300\n", printed.toString(StandardCharsets.UTF_8));
    assertTrue(r.openingRate() > 0, () -> "no opening rate: " + r);
  }

  @Test
  void cyclesLoadOpensAndClosesEveryConnectionWith1000() throws InterruptedException {
    CyclesLoad.Result r = CyclesLoad.run(url("ws", "/ws"), null, 200, 1, HANDSHAKE_TIMEOUT, 20);
    assertTrue(r.clean(), () -> "not clean: " + r);
    assertEquals(200, r.opened());
    assertEquals(200, r.cycleTimes().count());
    assertTrue(r.cyclesPerSecond() > 0);
  }

  @Test
  void cyclesAgainstAServerThatDoesNotUpgradeAreHandshakeFailures() throws InterruptedException {
    CyclesLoad.Result r = CyclesLoad.run(url("ws", "/not-ws"), null, 5, 1, HANDSHAKE_TIMEOUT, 2);
    assertEquals(0, r.opened());
    assertEquals(5, r.handshakeFailures());
    assertTrue(!r.clean());
  }

  @Test
  void aServerThatDoesNotUpgradeIsCountedAsHandshakeFailures() throws InterruptedException {
    // The backend upgrades /ws only; elsewhere it answers 200, as a proxy answering 501 would not
    // upgrade either.
    EchoLoad.Result r =
        EchoLoad.run(
            url("ws", "/not-ws"), null, 3, 1, Duration.ofMillis(200), 64, HANDSHAKE_TIMEOUT, 200);
    assertEquals(0, r.opened());
    assertEquals(3, r.handshakeFailures());
    assertTrue(r.firstProblem().contains("200"), r.firstProblem());
    assertTrue(!r.clean());
  }
}
