package dev.wharf.dataplane.tls;

import static dev.wharf.dataplane.tls.OpensslMaterial.read;
import static dev.wharf.dataplane.tls.OpensslMaterial.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Certificate;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.MetricsText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways files change under a running node, each seen by calling {@link
 * CertificateReloader#poll()} directly: no sleeps, no file system events to wait for.
 */
class CertificateReloaderTest {
  @TempDir static Path material;
  static String certA;
  static String keyA;
  static String certB;
  static String keyB;
  static String otherKey;

  @TempDir Path dir;
  final Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final CertificateReloader reloader = new CertificateReloader(registry, clock);
  final List<List<CertificateMaterial>> swaps = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeMaterial() {
    OpensslMaterial openssl = new OpensslMaterial(material);
    Path a = openssl.ecKey("a.key", "P-256");
    certA = read(openssl.selfSigned(a, "a.test", 365, "a.crt"));
    keyA = read(a);
    Path b = openssl.rsaKey("b.key");
    certB = read(openssl.selfSigned(b, "b.test", 200, "b.crt"));
    keyB = read(openssl.traditional(b, "b.pkcs1.key"));
    otherKey = read(openssl.ecKey("other.key", "P-256"));
  }

  Path cert;
  Path key;

  @BeforeEach
  void filesServingA() {
    cert = write(dir.resolve("site.crt"), certA);
    key = write(dir.resolve("site.key"), keyA);
  }

  private List<CertificateMaterial> register(Path certificateFile, Path keyFile)
      throws InvalidCertificateException {
    Certificate config =
        Certificate.newBuilder()
            .setCertificateFile(certificateFile.toString())
            .setKeyFile(keyFile.toString())
            .addServerNames("www.example.test")
            .build();
    return reloader.register("web", List.of(CertificateSource.of(config)), swaps::add);
  }

  private static String subject(CertificateMaterial m) {
    return m.leaf().getSubjectX500Principal().getName();
  }

  private double reloads(String result) {
    return registry
        .get("wharf.tls.certificate.reloads")
        .tag("listener", "web")
        .tag("result", result)
        .counter()
        .count();
  }

  private double expirySeconds() {
    return registry.get("wharf.tls.certificate.expiry").tag("listener", "web").gauge().value();
  }

  @Test
  void unchangedFilesAreNoChange() throws Exception {
    assertEquals("CN=a.test", subject(register(cert, key).get(0)));
    Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.from(Instant.EPOCH));
    assertEquals(0, reloader.poll());
    assertEquals(List.of(), swaps);
  }

  @Test
  void rewrittenFilesAreOneSwap() throws Exception {
    register(cert, key);
    write(cert, certB);
    write(key, keyB);
    assertEquals(1, reloader.poll());
    assertEquals(1, swaps.size());
    assertEquals("CN=b.test", subject(swaps.get(0).get(0)));
    assertEquals(1.0, reloads("success"));
    assertEquals(0, reloader.poll());
  }

  @Test
  void filesRenamedOverTheOldOnesAreOneSwap() throws Exception {
    register(cert, key);
    Files.move(write(dir.resolve(".site.crt.new"), certB), cert, StandardCopyOption.ATOMIC_MOVE);
    Files.move(write(dir.resolve(".site.key.new"), keyB), key, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(1, reloader.poll());
    assertEquals("CN=b.test", subject(swaps.get(0).get(0)));
  }

  @Test
  void kubernetesSecretDataSymlinkSwapIsOneChange() throws Exception {
    Path secret = Files.createDirectories(dir.resolve("secret"));
    KubeletSecret kubelet = new KubeletSecret(secret);
    kubelet.publish("2026_12_06_10_00_00.1", certA, keyA);
    Certificate config = Certificate.newBuilder().setDirectory(secret.toString()).build();
    List<CertificateMaterial> first =
        reloader.register("web", List.of(CertificateSource.of(config)), swaps::add);
    assertEquals("CN=a.test", subject(first.get(0)));

    kubelet.publish("2026_12_06_11_00_00.2", certB, keyB);
    assertEquals(1, reloader.poll());
    assertEquals(1, swaps.size(), "both files changed in one swap: one change");
    assertEquals("CN=b.test", subject(swaps.get(0).get(0)));
    assertEquals(0, reloader.poll());
    assertTrue(
        registry.scrape().contains("name=\"" + secret + "\""),
        "without server names the directory names the series");
  }

  @Test
  void badReplacementKeepsTheOldMaterialAndCountsRefused() throws Exception {
    register(cert, key);
    double servedUntil = expirySeconds();
    write(key, otherKey);
    assertEquals(0, reloader.poll());
    assertEquals(List.of(), swaps);
    assertEquals(1.0, reloads("refused"));
    assertEquals(0.0, reloads("success"));
    assertEquals(servedUntil, expirySeconds(), "the old certificate still serves");
    assertEquals(0, reloader.poll(), "a refused change is not retried until the files change");
    assertEquals(1.0, reloads("refused"));

    write(key, keyA);
    assertEquals(1, reloader.poll(), "restoring the matching key is a good change again");
    assertEquals("CN=a.test", subject(swaps.get(0).get(0)));
    assertEquals(1.0, reloads("success"));
  }

  @Test
  void deletedFilesAreRefusedAndTheOldMaterialServes() throws Exception {
    register(cert, key);
    Files.delete(cert);
    assertEquals(0, reloader.poll());
    assertEquals(1.0, reloads("refused"));
    write(cert, certA);
    assertEquals(1, reloader.poll());
  }

  @Test
  void aSwapTheTlsSetupRejectsIsCountedRefused() throws Exception {
    Certificate config =
        Certificate.newBuilder()
            .setCertificateFile(cert.toString())
            .setKeyFile(key.toString())
            .build();
    reloader.register(
        "web",
        List.of(CertificateSource.of(config)),
        m -> {
          throw new IllegalStateException("no context for you");
        });
    write(cert, certB);
    write(key, keyB);
    assertEquals(0, reloader.poll());
    assertEquals(1.0, reloads("refused"));
  }

  @Test
  void registeringUnreadableMaterialFailsWithTheReasonForTheNack() {
    write(key, otherKey);
    String message =
        assertThrows(InvalidCertificateException.class, () -> register(cert, key)).getMessage();
    assertTrue(message.contains("do not belong together"), message);
    assertTrue(registry.find("wharf.tls.certificate.expiry").gauges().isEmpty());
  }

  @Test
  void metricsAreExportedUnderTheirPrometheusNames() throws Exception {
    CertificateMaterial served = register(cert, key).get(0);
    String scrape = registry.scrape();
    double expected = Duration.between(clock.instant(), served.notAfter()).toMillis() / 1000.0;
    double value =
        MetricsText.parse(scrape)
            .find(
                "wharf_tls_certificate_expiry_seconds{listener=\"web\",name=\"www.example.test\"}")
            .orElseThrow(() -> new AssertionError(scrape));
    assertEquals(expected, value, 0.001, scrape);
    assertTrue(
        scrape.contains(
            "wharf_tls_certificate_reloads_total{listener=\"web\",result=\"refused\"} 0"),
        scrape);
    reloader.unregister("web");
    assertTrue(!registry.scrape().contains("wharf_tls_certificate_expiry_seconds{"));
    write(cert, certB);
    write(key, keyB);
    assertEquals(0, reloader.poll(), "an unregistered listener is not watched");
  }

  @Test
  void rsaAndEcdsaCertificatesForOneNameGetOneSeriesEach() throws Exception {
    Path certB2 = write(dir.resolve("b.crt"), certB);
    Path keyB2 = write(dir.resolve("b.key"), keyB);
    Certificate ec =
        Certificate.newBuilder()
            .setCertificateFile(cert.toString())
            .setKeyFile(key.toString())
            .addServerNames("example.test")
            .build();
    Certificate rsa =
        ec.toBuilder().setCertificateFile(certB2.toString()).setKeyFile(keyB2.toString()).build();
    reloader.register(
        "web", List.of(CertificateSource.of(ec), CertificateSource.of(rsa)), swaps::add);
    assertEquals(2, registry.find("wharf.tls.certificate.expiry").gauges().size());
    write(certB2, certA);
    write(keyB2, keyA);
    assertEquals(1, reloader.poll());
    List<CertificateMaterial> after = swaps.get(0);
    assertEquals("CN=a.test", subject(after.get(0)));
    assertEquals("CN=a.test", subject(after.get(1)), "the second entry was replaced in place");
  }

  @Test
  void scheduledPollingPicksUpAChange() throws Exception {
    register(cert, key);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      reloader.schedule(scheduler, Duration.ofMillis(20));
      write(cert, certB);
      write(key, keyB);
      Await.until(Duration.ofSeconds(30), () -> reloads("success") == 1.0, swaps::toString);
    } finally {
      scheduler.shutdownNow();
    }
  }

  /**
   * Writes a Secret volume the way the kubelet does: files in a timestamped directory, {@code
   * ..data} a symlink to it replaced by a rename, {@code tls.crt} and {@code tls.key} symlinks
   * through {@code ..data}, the previous directory removed afterwards.
   */
  static final class KubeletSecret {
    private final Path secret;
    private Path current;

    KubeletSecret(Path secret) {
      this.secret = secret;
    }

    void publish(String timestamp, String cert, String key) throws IOException {
      Path next = Files.createDirectory(secret.resolve(".." + timestamp));
      write(next.resolve("tls.crt"), cert);
      write(next.resolve("tls.key"), key);
      Path tmp = Files.createSymbolicLink(secret.resolve("..data_tmp"), next.getFileName());
      Files.move(tmp, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      for (String file : List.of("tls.crt", "tls.key")) {
        if (!Files.exists(secret.resolve(file), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(secret.resolve(file), Path.of("..data", file));
        }
      }
      if (current != null) {
        Files.delete(current.resolve("tls.crt"));
        Files.delete(current.resolve("tls.key"));
        Files.delete(current);
      }
      current = next;
    }
  }
}
