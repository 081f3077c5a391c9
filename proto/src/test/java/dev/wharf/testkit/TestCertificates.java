package dev.wharf.testkit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A self-signed certificate for {@code 127.0.0.1} made with the JDK's keytool, written as PEM: the
 * certificate (which is also its own CA) and its PKCS#8 private key. {@link #authority} makes a CA
 * that issues certificates, for clients of mTLS.
 */
public record TestCertificates(Path certificate, Path privateKey) {
  private static final String PASSWORD = "changeit";

  public static TestCertificates create(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    CommandRunner.Result r =
        CommandRunner.run(
            Duration.ofSeconds(60),
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
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
    Files.writeString(
        key, pem("PRIVATE KEY", ks.getKey(name, PASSWORD.toCharArray()).getEncoded()));
    return new TestCertificates(cert, key);
  }

  /** A CA certificate and key (keytool, in {@code dir}) that can {@link Authority#issue}. */
  public static Authority authority(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    Path cert = dir.resolve(name + ".crt.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    return new Authority(dir, name, store, cert);
  }

  /**
   * A CA made by {@link TestCertificates#authority}.
   *
   * @param certificate its certificate (PEM): what a server trusts client certificates by
   */
  public record Authority(Path dir, String name, Path store, Path certificate) {
    /**
     * A client certificate signed by this CA for {@code subject} (an X.500 name such as {@code
     * CN=alice,OU=admin}), and its key, as PEM files named after {@code alias}.
     */
    public TestCertificates issue(String alias, String subject) throws Exception {
      Path own = dir.resolve(alias + ".p12");
      keytool(
          "-genkeypair",
          "-alias",
          alias,
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          subject,
          "-validity",
          "2",
          "-keystore",
          own.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      Path request = dir.resolve(alias + ".csr");
      keytool(
          "-certreq",
          "-alias",
          alias,
          "-keystore",
          own.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          request.toString());
      Path cert = dir.resolve(alias + ".crt.pem");
      keytool(
          "-gencert",
          "-rfc",
          "-alias",
          name,
          "-keystore",
          store.toString(),
          "-storepass",
          PASSWORD,
          "-infile",
          request.toString(),
          "-outfile",
          cert.toString(),
          "-ext",
          "ku:c=digitalSignature",
          "-ext",
          "eku=clientAuth",
          "-validity",
          "2");
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(own)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      Path key = dir.resolve(alias + ".key.pem");
      Files.writeString(
          key, pem("PRIVATE KEY", ks.getKey(alias, PASSWORD.toCharArray()).getEncoded()));
      return new TestCertificates(cert, key);
    }
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    CommandRunner.Result r = CommandRunner.run(Duration.ofSeconds(60), command);
    if (r.exitCode() != 0) {
      throw new AssertionError("keytool failed: " + r);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
