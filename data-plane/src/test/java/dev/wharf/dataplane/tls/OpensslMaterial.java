package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and certificates made by the real {@code openssl} (3.0 here), in every form a user may hand
 * a node. Each call runs openssl once, bounded; a missing openssl is a {@link MissingTool}.
 */
final class OpensslMaterial {
  static final Path OPENSSL = Path.of("/usr/bin/openssl");
  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Path dir;
  private int serial = 1;

  OpensslMaterial(Path dir) {
    if (!Files.isExecutable(OPENSSL)) {
      MissingTool.missing(OPENSSL + " is not installed (Debian package openssl)");
    }
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  void openssl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(OPENSSL.toString());
    command.addAll(List.of(args));
    CommandRunner.Result result = CommandRunner.run(BOUND, command);
    assertEquals(0, result.exitCode(), () -> String.join(" ", command) + "\n" + result);
  }

  /** An RSA 2048 key, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  Path rsaKey(String name) {
    Path key = dir.resolve(name);
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key + "");
    return key;
  }

  /** An EC key on {@code curve} (P-256, P-384, P-521), PKCS#8. */
  Path ecKey(String name, String curve) {
    Path key = dir.resolve(name);
    openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", key + "");
    return key;
  }

  /** The same key in OpenSSL's traditional form: PKCS#1 for RSA, SEC1 for EC. */
  Path traditional(Path pkcs8, String name) {
    Path key = dir.resolve(name);
    openssl("pkey", "-in", pkcs8 + "", "-traditional", "-out", key + "");
    return key;
  }

  /** The key encrypted with a passphrase, PKCS#8 or (traditional) with a Proc-Type header. */
  Path encrypted(Path key, String name, boolean traditional) {
    Path out = dir.resolve(name);
    List<String> args =
        new ArrayList<>(List.of("pkey", "-in", key + "", "-aes256", "-passout", "pass:secret"));
    if (traditional) {
      args.add("-traditional");
    }
    args.addAll(List.of("-out", out + ""));
    openssl(args.toArray(String[]::new));
    return out;
  }

  /** A self-signed certificate for {@code cn}, valid from now for {@code days}. */
  Path selfSigned(Path key, String cn, int days, String name) {
    Path cert = dir.resolve(name);
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        key + "",
        "-subj",
        "/CN=" + cn,
        "-days",
        days + "",
        "-set_serial",
        String.valueOf(serial++),
        "-addext",
        "subjectAltName=DNS:" + cn,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-out",
        cert + "");
    return cert;
  }

  /** A certificate for {@code cn} with {@code key}, signed by {@code issuer}'s key and name. */
  Path signed(Path key, String cn, Path issuerCert, Path issuerKey, boolean ca, String name) {
    Path csr = dir.resolve(name + ".csr");
    openssl("req", "-new", "-key", key + "", "-subj", "/CN=" + cn, "-out", csr + "");
    Path ext = dir.resolve(name + ".ext");
    write(ext, ca ? "basicConstraints=critical,CA:TRUE\n" : "subjectAltName=DNS:" + cn + "\n");
    Path cert = dir.resolve(name);
    openssl(
        "x509",
        "-req",
        "-in",
        csr + "",
        "-CA",
        issuerCert + "",
        "-CAkey",
        issuerKey + "",
        "-set_serial",
        String.valueOf(serial++),
        "-days",
        "365",
        "-extfile",
        ext + "",
        "-out",
        cert + "");
    return cert;
  }

  /** The PEM files' text joined, in order, as one chain file. */
  Path concat(String name, Path... parts) {
    StringBuilder text = new StringBuilder();
    for (Path part : parts) {
      text.append(read(part));
    }
    return write(dir.resolve(name), text.toString());
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
