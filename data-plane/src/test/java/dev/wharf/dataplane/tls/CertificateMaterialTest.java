package dev.wharf.dataplane.tls;

import static dev.wharf.dataplane.tls.OpensslMaterial.read;
import static dev.wharf.dataplane.tls.OpensslMaterial.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every key form and every refusal a user can meet, with keys and certificates made by openssl.
 * Validity is judged at an injected clock, so expired and not-yet-valid need no backdating.
 */
class CertificateMaterialTest {
  @TempDir static Path dir;
  static OpensslMaterial openssl;
  static Path rsaKey;
  static Path rsaCert;
  static Path ecKey;
  static Path ecCert;
  static Path rootKey;
  static Path root;
  static Path intermediateKey;
  static Path intermediate;
  static Path leafKey;
  static Path leaf;

  @BeforeAll
  static void makeMaterial() {
    openssl = new OpensslMaterial(dir);
    rsaKey = openssl.rsaKey("rsa.key");
    rsaCert = openssl.selfSigned(rsaKey, "rsa.test", 365, "rsa.crt");
    ecKey = openssl.ecKey("ec.key", "P-256");
    ecCert = openssl.selfSigned(ecKey, "ec.test", 365, "ec.crt");
    rootKey = openssl.ecKey("root.key", "P-384");
    root = openssl.selfSigned(rootKey, "Test Root", 3650, "root.crt");
    intermediateKey = openssl.ecKey("intermediate.key", "P-256");
    intermediate =
        openssl.signed(intermediateKey, "Test Intermediate", root, rootKey, true, "inter.crt");
    leafKey = openssl.ecKey("leaf.key", "P-256");
    leaf = openssl.signed(leafKey, "leaf.test", intermediate, intermediateKey, false, "leaf.crt");
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static String refusal(Path cert, Path key) {
    return assertThrows(
            InvalidCertificateException.class, () -> CertificateMaterial.load(cert, key))
        .getMessage();
  }

  private static void assertContains(String expected, String actual) {
    assertTrue(actual.contains(expected), () -> "expected <" + expected + "> in <" + actual + ">");
  }

  @Test
  void pkcs8RsaKeyLoadsWithItsCertificate() throws Exception {
    CertificateMaterial material = CertificateMaterial.load(rsaCert, rsaKey);
    assertEquals("RSA", material.key().getAlgorithm());
    assertEquals("CN=rsa.test", material.leaf().getSubjectX500Principal().getName());
    assertEquals(List.of(), material.warnings());
  }

  @Test
  void pkcs8EcKeyLoadsWithItsCertificate() throws Exception {
    CertificateMaterial material = CertificateMaterial.load(ecCert, ecKey);
    assertEquals("EC", material.key().getAlgorithm());
  }

  @Test
  void pkcs1RsaKeyIsTheSameKeyAsItsPkcs8Form() throws Exception {
    Path pkcs1 = openssl.traditional(rsaKey, "rsa.pkcs1.key");
    assertContains("BEGIN RSA PRIVATE KEY", read(pkcs1));
    CertificateMaterial material = CertificateMaterial.load(rsaCert, pkcs1);
    RSAPrivateCrtKey expected = (RSAPrivateCrtKey) pkcs8(rsaKey);
    RSAPrivateCrtKey actual = (RSAPrivateCrtKey) material.key();
    assertEquals(expected.getModulus(), actual.getModulus());
    assertEquals(expected.getPrivateExponent(), actual.getPrivateExponent());
    assertArrayEquals(expected.getEncoded(), actual.getEncoded());
  }

  @ParameterizedTest
  @ValueSource(strings = {"P-256", "P-384", "P-521"})
  void sec1EcKeyOnEveryNamedCurveLoads(String curve) throws Exception {
    Path key = openssl.ecKey("sec1-" + curve + ".pkcs8", curve);
    Path cert = openssl.selfSigned(key, "sec1.test", 30, "sec1-" + curve + ".crt");
    Path sec1 = openssl.traditional(key, "sec1-" + curve + ".key");
    assertContains("BEGIN EC PRIVATE KEY", read(sec1));
    CertificateMaterial material = CertificateMaterial.load(cert, sec1);
    assertEquals(((ECPrivateKey) pkcs8(key)).getS(), ((ECPrivateKey) material.key()).getS());
  }

  @Test
  void sec1KeyAfterAnEcParametersBlockLoads() throws Exception {
    Path key = dir.resolve("ecparam.key");
    openssl.openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key + "");
    assertContains("BEGIN EC PARAMETERS", read(key));
    Path cert = openssl.selfSigned(key, "ecparam.test", 30, "ecparam.crt");
    assertEquals("EC", CertificateMaterial.load(cert, key).key().getAlgorithm());
  }

  @Test
  void sec1KeyWithExplicitCurveParametersIsRefused() {
    Path key = dir.resolve("explicit.key");
    openssl.openssl(
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-param_enc",
        "explicit",
        "-out",
        key + "");
    assertContains("explicit EC curve parameters; use a named curve", refusal(ecCert, key));
  }

  @Test
  void encryptedPkcs8KeyIsRefusedWithTheReason() {
    Path key = openssl.encrypted(rsaKey, "enc.pkcs8.key", false);
    assertContains("BEGIN ENCRYPTED PRIVATE KEY", read(key));
    String message = refusal(rsaCert, key);
    assertContains(key + " is encrypted with a passphrase", message);
  }

  @Test
  void encryptedTraditionalKeysAreRefusedWithTheReason() {
    Path rsa = openssl.encrypted(rsaKey, "enc.pkcs1.key", true);
    assertContains("Proc-Type: 4,ENCRYPTED", read(rsa));
    assertContains(rsa + " is encrypted with a passphrase", refusal(rsaCert, rsa));
    Path ec = openssl.encrypted(ecKey, "enc.sec1.key", true);
    assertContains("BEGIN EC PRIVATE KEY", read(ec));
    assertContains(ec + " is encrypted with a passphrase", refusal(ecCert, ec));
  }

  @Test
  void keyOfAnotherCertificateIsRefusedNamingBothFiles() {
    String message = refusal(rsaCert, openssl.rsaKey("other-rsa.key"));
    assertContains(rsaCert + " and the key in " + dir.resolve("other-rsa.key"), message);
    assertContains("do not belong together", message);
    assertContains(ecCert + " and the key in " + rsaKey, refusal(ecCert, rsaKey));
  }

  @Test
  void completeChainInOrderLoads() throws Exception {
    Path chain = openssl.concat("full.crt", leaf, intermediate, root);
    CertificateMaterial material = CertificateMaterial.load(chain, leafKey);
    assertEquals(3, material.chain().size());
    assertEquals("CN=leaf.test", material.leaf().getSubjectX500Principal().getName());
  }

  @Test
  void chainOutOfOrderIsRefusedNamingTheCertificate() {
    Path chain = openssl.concat("disordered.crt", leaf, root, intermediate);
    String message = refusal(chain, leafKey);
    assertContains("chain out of order: certificate 1 (CN=leaf.test", message);
    assertContains("is not signed by certificate 2 (CN=Test Root)", message);
  }

  @Test
  void chainWithTheServerCertificateLastIsRefused() {
    Path chain = openssl.concat("leaf-last.crt", intermediate, leaf);
    assertContains(
        "the key belongs to certificate 2 of 2 (CN=leaf.test); put the server's certificate first",
        refusal(chain, leafKey));
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    Instant end = CertificateMaterial.load(ecCert, ecKey).notAfter();
    String message =
        assertThrows(
                InvalidCertificateException.class,
                () -> CertificateMaterial.load(ecCert, ecKey, at(end.plusSeconds(1))))
            .getMessage();
    assertContains(ecCert + " has expired: CN=ec.test was valid until " + end, message);
  }

  @Test
  void certificateNotValidYetIsRefused() throws Exception {
    Instant start = CertificateMaterial.load(ecCert, ecKey).leaf().getNotBefore().toInstant();
    String message =
        assertThrows(
                InvalidCertificateException.class,
                () -> CertificateMaterial.load(ecCert, ecKey, at(start.minusSeconds(3600))))
            .getMessage();
    assertContains(ecCert + " is not valid yet: CN=ec.test is valid from " + start, message);
  }

  @Test
  void certificateExpiringInTenDaysLoadsWithAWarning() throws Exception {
    Path cert = openssl.selfSigned(ecKey, "soon.test", 10, "soon.crt");
    CertificateMaterial material = CertificateMaterial.load(cert, ecKey);
    assertEquals(1, material.warnings().size(), material.warnings()::toString);
    assertContains(cert + " expires in 9 days", material.warnings().get(0));
    // 15 days before the end of the ec.test certificate: no warning
    Instant end = CertificateMaterial.load(ecCert, ecKey).notAfter();
    assertEquals(
        List.of(),
        CertificateMaterial.load(ecCert, ecKey, at(end.minus(Duration.ofDays(15)))).warnings());
  }

  @Test
  void directoryLayoutOfAKubernetesSecretLoads() throws Exception {
    Path secret = Files.createDirectories(dir.resolve("secret"));
    write(secret.resolve("tls.crt"), read(rsaCert));
    write(secret.resolve("tls.key"), read(openssl.traditional(rsaKey, "secret-pkcs1.key")));
    assertEquals("RSA", CertificateMaterial.load(secret).key().getAlgorithm());
    String message =
        assertThrows(
                InvalidCertificateException.class,
                () -> CertificateMaterial.load(dir.resolve("no-such-dir")))
            .getMessage();
    assertContains(
        "no-such-dir is not a directory (expected one holding tls.crt and tls.key)", message);
  }

  @Test
  void missingEmptyAndGarbageFilesAreRefusedByName() throws Exception {
    assertContains(
        dir.resolve("nope.crt") + " does not exist", refusal(dir.resolve("nope.crt"), rsaKey));
    assertContains(
        dir.resolve("nope.key") + " does not exist", refusal(rsaCert, dir.resolve("nope.key")));
    Path empty = Files.createFile(dir.resolve("empty.pem"));
    assertContains(empty + " is empty", refusal(empty, rsaKey));
    assertContains(empty + " is empty", refusal(rsaCert, empty));
    Path garbage = Files.write(dir.resolve("garbage.pem"), new byte[] {0, (byte) 0xff, 'h', 'i'});
    assertContains(garbage + " holds no certificate", refusal(garbage, rsaKey));
    assertContains(garbage + " holds no private key", refusal(rsaCert, garbage));
    assertContains("holds no private key", refusal(rsaCert, rsaCert));
    assertContains("holds no certificate", refusal(rsaKey, rsaKey));
  }

  @Test
  void hostilePemBlocksAreRefusedWithoutAStackTrace() {
    String[][] cases = {
      {"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64"},
      {"-----BEGIN CERTIFICATE-----\nAAAA\n", "has no END line"},
      {"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "is empty"},
      {"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n", "cannot be parsed"},
      {"-----BEGIN CERTIFICATE-----\nAAAA\n-----BEGIN CERTIFICATE-----\n", "no END line before"},
    };
    for (String[] c : cases) {
      Path file = write(dir.resolve("hostile.crt"), c[0]);
      assertContains(c[1], refusal(file, rsaKey));
    }
    String[][] keys = {
      {"RSA PRIVATE KEY", "MAMCAQA=", "is not a PKCS#1 RSA key: an RSA private key has 9 fields"},
      {"RSA PRIVATE KEY", "MIIBAAA=", "is not a PKCS#1 RSA key: truncated"},
      {"EC PRIVATE KEY", "MAMCAQE=", "is not a SEC1 EC key: an EC private key has at least 2"},
      {"EC PRIVATE KEY", "MAgCAQEEAQGgAA==", "explicit EC curve parameters"},
      {"EC PRIVATE KEY", "MAYCAQEEAQE=", "is an EC key that does not name its curve"},
      {"PRIVATE KEY", "MAMCAQA=", "is not a PKCS#8 key: a PKCS#8 key has at least 3 fields"},
      {"PRIVATE KEY", "MIAA", "indefinite length is not DER"},
      {"PRIVATE KEY", "MA8CAQAwBwYFK4EEACIEAQA=", "holds a key of algorithm 1.3.132.0.34"},
      {"PRIVATE KEY", "MBICAQAwCwYJKoZIhvcNAQEBBAA=", "holds an RSA key that cannot be read"},
    };
    for (String[] k : keys) {
      Path file =
          write(
              dir.resolve("hostile.key"),
              "-----BEGIN " + k[0] + "-----\n" + k[1] + "\n-----END " + k[0] + "-----\n");
      assertContains(k[2], refusal(rsaCert, file));
    }
  }

  private static java.security.PrivateKey pkcs8(Path file) throws Exception {
    String body = read(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance(file.toString().contains("rsa") ? "RSA" : "EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }
}
