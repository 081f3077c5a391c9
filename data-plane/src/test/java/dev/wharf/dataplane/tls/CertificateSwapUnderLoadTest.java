package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A certificate renewed the way a Kubernetes Secret update does it (a new {@code ..timestamp}
 * directory, the {@code ..data} symlink renamed over), while 1,000 {@code wss://} WebSockets are
 * open and a few threads make new HTTPS connections, each a full handshake, without a pause. Then a
 * bad pair (a key that does not match the certificate) is published the same way and refused.
 *
 * <p>What a user sees: no handshake and no request fails; every WebSocket stays open and echoes;
 * handshakes that start after the check get the new certificate, and after the bad pair still the
 * renewed good one; the metrics count one success and one refusal and the expiry gauge follows.
 *
 * <p>File descriptors: client, node and backend share this JVM, so one WebSocket costs four (the
 * client's socket, the node's two, the backend's); the HTTPS load a few more. The test asks the JVM
 * for its limit and fails with the numbers when 1,000 WebSockets do not fit (20,000 here).
 */
@ExtendWith(NettyLeakExtension.class)
class CertificateSwapUnderLoadTest {
  private static final int WEBSOCKETS = 1_000;
  private static final int FDS_PER_WEBSOCKET = 4;
  private static final int FDS_SPARE = 2_000;
  private static final int LOAD_THREADS = 3;
  private static final int SUCCESSES_PER_PHASE = 100;
  private static final Duration WAIT = Duration.ofMinutes(2);

  /** The node's fixed clock: after every certificate here was issued. */
  private Instant now;

  @TempDir Path dir;
  private TestBackend backend;
  private TestNode node;
  private final List<WsClient> sockets = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final ch.qos.logback.classic.Logger reloaderLog =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(CertificateReloader.class);

  @AfterEach
  void stop() {
    reloaderLog.detachAppender(logs);
    sockets.forEach(WsClient::close);
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aRenewedCertificateReachesNewHandshakesAndNoOpenConnectionNoticesABadOneIsRefused()
      throws Exception {
    assertFileDescriptorsSuffice();
    TestPki pki = TestPki.create(dir);
    TestPki.Issued v1 = pki.ecdsa("site-v1", "site.test");
    TestPki.Issued v2 = pki.ecdsa("site-v2", 20, "site.test");
    TestPki.Issued v3 = pki.ecdsa("site-v3", "site.test");
    now = Instant.now().plusSeconds(60);
    Path secret = Files.createDirectory(dir.resolve("secret"));
    CertificateReloaderTest.KubeletSecret kubelet =
        new CertificateReloaderTest.KubeletSecret(secret);
    kubelet.publish("2026_12_01", Files.readString(v1.certificate()), Files.readString(v1.key()));
    backend = TestBackend.start("b");
    node =
        TestNode.builder()
            .clock(Clock.fixed(now, ZoneOffset.UTC))
            .start(
                ports ->
                    """
                    listeners:
                      - name: web
                        address: 127.0.0.1
                        port: %d
                        tls:
                          certificates: [{directory: "%s"}]
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    routes:
                      - name: all
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                    """
                        .formatted(ports.next(), secret, backend.endpoint()));
    int port = node.address("web").getPort();
    TrustManager[] trust = trust(pki.caCertificate());
    X509Certificate first = read(v1.certificate());
    X509Certificate renewed = read(v2.certificate());
    assertEquals(seconds(first), expiry(), 0.0);
    assertTrue(seconds(renewed) < seconds(first) - 86_400, "the renewal ends 10 days earlier");

    openWebSockets(URI.create("wss://127.0.0.1:" + port + "/ws/room"), trust);
    echoOnEverySocket("before");

    HandshakeLoad load = new HandshakeLoad(port, trust, LOAD_THREADS);
    long swapStarted;
    long swapDone;
    long badDone;
    try {
      load.start();
      awaitSuccesses(load, 0);

      swapStarted = System.nanoTime();
      kubelet.publish("2026_12_02", Files.readString(v2.certificate()), Files.readString(v2.key()));
      // the node's own 10 s check may have come first: either way it is done when this returns
      node.node().tls().checkCertificates();
      swapDone = System.nanoTime();
      awaitSuccesses(load, swapDone);
      assertEquals(1.0, reloads("success"));
      assertEquals(seconds(renewed), expiry(), 0.0);

      logs.start();
      reloaderLog.addAppender(logs);
      // v3's certificate with v2's key: they do not belong together
      kubelet.publish("2026_12_03", Files.readString(v3.certificate()), Files.readString(v2.key()));
      node.node().tls().checkCertificates();
      assertEquals(1.0, reloads("refused"));
      badDone = System.nanoTime();
      awaitSuccesses(load, badDone);
    } finally {
      load.close();
    }
    assertEquals(1.0, reloads("success"));
    assertEquals(1.0, reloads("refused"));
    assertEquals(seconds(renewed), expiry(), 0.0);
    assertTrue(
        logs.list.stream()
            .anyMatch(
                e ->
                    e.getFormattedMessage().contains("refused, the previous one keeps serving")
                        && e.getFormattedMessage().contains(secret.toString())),
        () -> "no refusal logged: " + logs.list);

    List<HandshakeLoad.Attempt> attempts = load.attempts();
    List<HandshakeLoad.Attempt> failed =
        attempts.stream().filter(a -> a.failure() != null).toList();
    assertEquals(List.of(), failed, "failed handshakes or requests");
    assertAllSaw(attempts, a -> a.handshaken() < swapStarted, first, "before the swap");
    assertAllSaw(attempts, a -> a.started() > swapDone, renewed, "after the swap");
    assertTrue(
        attempts.stream().anyMatch(a -> a.handshaken() < swapStarted)
            && attempts.stream().anyMatch(a -> a.started() > badDone),
        "the load ran before, during and after");
    System.out.printf(
        "certificate swap under load: %d full handshakes and requests, 0 failed; %d of %d"
            + " WebSockets open%n",
        attempts.size(),
        sockets.stream().filter(s -> !s.closeCode().isDone()).count(),
        sockets.size());

    for (WsClient s : sockets) {
      assertFalse(s.closeCode().isDone(), "a WebSocket was closed");
    }
    echoOnEverySocket("after");
  }

  private static void assertFileDescriptorsSuffice() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
      long needed = (long) WEBSOCKETS * FDS_PER_WEBSOCKET + FDS_SPARE;
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
      assertTrue(
          free >= needed,
          () ->
              "this JVM may open "
                  + os.getMaxFileDescriptorCount()
                  + " files and has "
                  + os.getOpenFileDescriptorCount()
                  + " open; "
                  + WEBSOCKETS
                  + " WebSockets need about "
                  + needed
                  + " (raise ulimit -n)");
    }
  }

  /** Opens the WebSockets, a few handshakes at a time, all on one JDK HttpClient. */
  private void openWebSockets(URI uri, TrustManager[] trust) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust, null);
    HttpClient client = HttpClient.newBuilder().sslContext(context).build();
    ExecutorService opener = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<WsClient>> opening = new ArrayList<>();
      for (int i = 0; i < WEBSOCKETS; i++) {
        opening.add(CompletableFuture.supplyAsync(() -> WsClient.connect(client, uri), opener));
      }
      for (CompletableFuture<WsClient> f : opening) {
        sockets.add(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      }
    } finally {
      opener.shutdownNow();
    }
    assertEquals(WEBSOCKETS, sockets.size());
  }

  /** Sends a message on every WebSocket, then checks each echo came back on its own socket. */
  private void echoOnEverySocket(String word) throws InterruptedException {
    for (int i = 0; i < sockets.size(); i++) {
      String text = word + "-" + i;
      sockets.get(i).send(ws -> ws.sendText(text, true));
    }
    for (int i = 0; i < sockets.size(); i++) {
      assertEquals(word + "-" + i, sockets.get(i).nextMessage(WAIT), "WebSocket " + i);
    }
  }

  private static void awaitSuccesses(HandshakeLoad load, long startedAfter) {
    Await.until(
        WAIT,
        () ->
            load.successesStartedAfter(startedAfter) >= SUCCESSES_PER_PHASE
                || load.attempts().stream().anyMatch(a -> a.failure() != null),
        () -> load.attempts().size() + " attempts");
  }

  private static void assertAllSaw(
      List<HandshakeLoad.Attempt> attempts,
      Predicate<HandshakeLoad.Attempt> which,
      X509Certificate expected,
      String when) {
    List<HandshakeLoad.Attempt> chosen = attempts.stream().filter(which).toList();
    assertFalse(chosen.isEmpty(), "no handshake " + when);
    String seen =
        chosen.stream()
            .map(a -> a.subject() + " #" + a.serial())
            .distinct()
            .collect(Collectors.joining(", "));
    assertEquals(
        expected.getSubjectX500Principal().getName() + " #" + expected.getSerialNumber(),
        seen,
        chosen.size() + " handshakes " + when);
  }

  private double reloads(String result) {
    return node.registry()
        .get("wharf.tls.certificate.reloads")
        .tag("listener", "web")
        .tag("result", result)
        .counter()
        .count();
  }

  private double expiry() {
    return node.registry()
        .get("wharf.tls.certificate.expiry")
        .tag("listener", "web")
        .gauge()
        .value();
  }

  /** What the expiry gauge reads for {@code certificate} on the node's fixed clock. */
  private double seconds(X509Certificate certificate) {
    return Duration.between(now, certificate.getNotAfter().toInstant()).toMillis() / 1000.0;
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static TrustManager[] trust(Path ca) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", read(ca));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers();
  }
}
