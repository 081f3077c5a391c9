package dev.wharf.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A self-signed ECDSA P-256 certificate for {@code 127.0.0.1}, written as PEM: the certificate
 * (which is also its own CA) and its PKCS#8 private key. {@link #authority} makes a CA that issues
 * certificates, for clients of mTLS.
 *
 * <p>Made with {@code openssl req} (one short native process per certificate), not the JDK's
 * keytool: keytool is a JVM start per step, three per client certificate, which made a class's
 * certificates cost about ten seconds of a loaded two-core machine. Without openssl the test is
 * {@link MissingTool missing} (a failure under {@code CI=true}).
 */
public record TestCertificates(Path certificate, Path privateKey) {
  private static final String OPENSSL = "/usr/bin/openssl";
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String DAYS = "2";

  public static TestCertificates create(Path dir, String name) throws IOException {
    TestCertificates made = files(dir, name);
    openssl(
        dir,
        "-x509",
        "-keyout",
        made.privateKey().toString(),
        "-out",
        made.certificate().toString(),
        "-subj",
        "/CN=" + name,
        "-addext",
        "subjectAltName=IP:127.0.0.1");
    return made;
  }

  /** A CA certificate and key (in {@code dir}) that can {@link Authority#issue}. */
  public static Authority authority(Path dir, String name) throws IOException {
    TestCertificates made = files(dir, name);
    openssl(
        dir,
        "-x509",
        "-keyout",
        made.privateKey().toString(),
        "-out",
        made.certificate().toString(),
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE");
    return new Authority(dir, made.privateKey(), made.certificate());
  }

  /**
   * A CA made by {@link TestCertificates#authority}.
   *
   * @param certificate its certificate (PEM): what a server trusts client certificates by
   */
  public record Authority(Path dir, Path privateKey, Path certificate) {
    /**
     * A client certificate signed by this CA for {@code subject} (an X.500 name such as {@code
     * CN=alice,OU=admin}), and its key, as PEM files named after {@code alias}.
     */
    public TestCertificates issue(String alias, String subject) throws IOException {
      TestCertificates made = files(dir, alias);
      openssl(
          dir,
          "-CA",
          certificate.toString(),
          "-CAkey",
          privateKey.toString(),
          "-keyout",
          made.privateKey().toString(),
          "-out",
          made.certificate().toString(),
          "-subj",
          opensslName(subject),
          "-addext",
          "keyUsage=critical,digitalSignature",
          "-addext",
          "extendedKeyUsage=clientAuth");
      return made;
    }
  }

  /**
   * {@code subject} in openssl's {@code -subj} form: RFC 2253 lists the most specific name first,
   * openssl the encoded order, so {@code CN=a,OU=b} becomes {@code /OU=b/CN=a}.
   */
  static String opensslName(String subject) {
    List<String> names = new ArrayList<>(Arrays.asList(subject.split(",")));
    Collections.reverse(names);
    return "/" + String.join("/", names);
  }

  private static TestCertificates files(Path dir, String name) {
    return new TestCertificates(dir.resolve(name + ".crt.pem"), dir.resolve(name + ".key.pem"));
  }

  /**
   * One {@code openssl req} making a new key and its certificate, with a configuration of its own
   * so that the certificate carries only the extensions given, whatever the machine's openssl.cnf
   * adds by default.
   */
  private static void openssl(Path dir, String... args) throws IOException {
    if (!Files.isExecutable(Path.of(OPENSSL))) {
      MissingTool.missing(OPENSSL + " is not installed (apt-get install openssl)");
    }
    Path config = dir.resolve("test-certificates.cnf");
    if (!Files.exists(config)) {
      Files.writeString(config, "[req]\ndistinguished_name = dn\n[dn]\n");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                OPENSSL,
                "req",
                "-config",
                config.toString(),
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                DAYS));
    command.addAll(List.of(args));
    CommandRunner.Result r = CommandRunner.run(BOUND, command);
    if (r.exitCode() != 0) {
      throw new AssertionError("openssl failed: " + command + "\n" + r);
    }
  }
}
