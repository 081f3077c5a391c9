package dev.wharf.testkit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A self-signed certificate for {@code 127.0.0.1} made with the JDK's keytool, written as PEM:
 * the certificate (which is also its own CA) and its PKCS#8 private key.
 */
public record TestCertificates(Path certificate, Path privateKey) {
  private static final String PASSWORD = "changeit";

  public static TestCertificates create(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    CommandRunner.Result r = CommandRunner.run(Duration.ofSeconds(60), List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD));
    if (r.exitCode() != 0) {
      throw new AssertionError("keytool failed: " + r);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    Path cert = dir.resolve(name + ".crt.pem");
    Path key = dir.resolve(name + ".key.pem");
    Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate(name).getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY",
        ks.getKey(name, PASSWORD.toCharArray()).getEncoded()));
    return new TestCertificates(cert, key);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
