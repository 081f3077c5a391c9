package dev.wharf.dataplane.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate chain and its private key, read from PEM files where the node runs, and checked
 * before it may serve. Certificates are material, not config text: the config names the files and
 * every node reads them itself.
 *
 * <p>The {@code load} methods read files and parse keys: call them on a thread that may block (the
 * node's file executor, a reload thread), <b>never on an event loop</b>.
 *
 * @param key the private key of the first certificate
 * @param chain the server's certificate first, then each issuer in turn
 * @param warnings what the caller should log: a certificate that expires within 14 days
 */
public record CertificateMaterial(
    PrivateKey key, List<X509Certificate> chain, List<String> warnings) {
  /** The directory layout of a Kubernetes TLS Secret mount (and of cert-manager's). */
  public static final String DIRECTORY_CERTIFICATE = "tls.crt";

  public static final String DIRECTORY_KEY = "tls.key";

  /** Files larger than this are not PEM certificates or keys a node serves. */
  static final long MAX_FILE_SIZE = 1 << 20;

  public CertificateMaterial {
    chain = List.copyOf(chain);
    warnings = List.copyOf(warnings);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least one certificate");
    }
  }

  public CertificateMaterial(PrivateKey key, List<X509Certificate> chain) {
    this(key, chain, List.of());
  }

  /** The certificate that names the server; the rest of the chain follows it. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** When the certificate served ends. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /**
   * Reads and checks a PEM chain (the server's certificate first) and an unencrypted private key
   * (PKCS#8, PKCS#1 RSA or SEC1 EC), against the system clock. Blocks: never on an event loop.
   *
   * @throws InvalidCertificateException naming the file and what is wrong with it
   */
  public static CertificateMaterial load(Path certificateFile, Path keyFile)
      throws InvalidCertificateException {
    return load(certificateFile, keyFile, Clock.systemUTC());
  }

  /**
   * Like {@link #load(Path, Path)}, with validity judged at {@code clock}'s instant. The key must
   * belong to the first certificate, each certificate must be signed by the next one, and the first
   * must be valid now; one that expires within 14 days loads with a {@link #warnings() warning}.
   * Blocks: never on an event loop.
   */
  public static CertificateMaterial load(Path certificateFile, Path keyFile, Clock clock)
      throws InvalidCertificateException {
    List<X509Certificate> chain = readChain(certificateFile);
    PrivateKey key = PrivateKeys.read(keyFile, read(keyFile));
    CertificateChecks.keyMatches(certificateFile, keyFile, key, chain);
    CertificateChecks.chainInOrder(certificateFile, chain);
    List<String> warnings =
        CertificateChecks.validAt(certificateFile, chain.get(0), clock.instant());
    return new CertificateMaterial(key, chain, warnings);
  }

  /**
   * Reads {@code tls.crt} and {@code tls.key} from {@code directory}, the layout of a Kubernetes
   * TLS Secret mount. Blocks: never on an event loop.
   */
  public static CertificateMaterial load(Path directory) throws InvalidCertificateException {
    return load(directory, Clock.systemUTC());
  }

  /** Like {@link #load(Path)}, judged at {@code clock}'s instant. Blocks: never on a loop. */
  public static CertificateMaterial load(Path directory, Clock clock)
      throws InvalidCertificateException {
    if (!Files.isDirectory(directory)) {
      throw new InvalidCertificateException(
          directory,
          "is not a directory (expected one holding "
              + DIRECTORY_CERTIFICATE
              + " and "
              + DIRECTORY_KEY
              + ")");
    }
    return load(directory.resolve(DIRECTORY_CERTIFICATE), directory.resolve(DIRECTORY_KEY), clock);
  }

  private static List<X509Certificate> readChain(Path file) throws InvalidCertificateException {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.parse(read(file));
    } catch (Pem.PemException e) {
      throw new InvalidCertificateException(
          file, "is not a PEM certificate chain: " + e.getMessage());
    }
    List<X509Certificate> chain = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    for (Pem.Block block : blocks) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        chain.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new InvalidCertificateException(
            file, "has a certificate " + (chain.size() + 1) + " that cannot be parsed");
      }
    }
    if (chain.isEmpty()) {
      throw new InvalidCertificateException(
          file, "holds no certificate (expected PEM blocks BEGIN CERTIFICATE)");
    }
    return chain;
  }

  /** The file's text, refusing what cannot be a certificate or key before reading it whole. */
  static String read(Path file) throws InvalidCertificateException {
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new InvalidCertificateException(file, "is empty");
      }
      if (size > MAX_FILE_SIZE) {
        throw new InvalidCertificateException(
            file, "is " + size + " bytes (expected: at most " + MAX_FILE_SIZE + ")");
      }
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new InvalidCertificateException(file, "does not exist");
    } catch (AccessDeniedException e) {
      throw new InvalidCertificateException(file, "cannot be read: permission denied");
    } catch (IOException e) {
      throw new InvalidCertificateException(file, "cannot be read: " + e);
    }
  }
}
