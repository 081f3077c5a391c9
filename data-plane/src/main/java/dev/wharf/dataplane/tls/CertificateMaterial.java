package dev.wharf.dataplane.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key, read from PEM files where the node runs. Certificates
 * are material, not config text: the config names the files and every node reads them itself.
 */
public record CertificateMaterial(PrivateKey key, List<X509Certificate> chain) {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  public CertificateMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least one certificate");
    }
  }

  /** The certificate that names the server; the rest of the chain follows it. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /**
   * Reads a PEM chain (leaf first) and an unencrypted PKCS#8 private key.
   *
   * @throws InvalidCertificateException naming the file and what is wrong with it
   */
  public static CertificateMaterial load(Path certificateFile, Path keyFile)
      throws InvalidCertificateException {
    List<X509Certificate> chain = readChain(certificateFile);
    PrivateKey key = readKey(keyFile, chain.get(0).getPublicKey().getAlgorithm());
    return new CertificateMaterial(key, chain);
  }

  private static List<X509Certificate> readChain(Path file) throws InvalidCertificateException {
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory.generateCertificates(in).forEach(c -> chain.add((X509Certificate) c));
    } catch (IOException e) {
      throw new InvalidCertificateException(file, "cannot be read: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new InvalidCertificateException(file, "is not a PEM certificate chain");
    }
    if (chain.isEmpty()) {
      throw new InvalidCertificateException(file, "holds no certificate");
    }
    return chain;
  }

  private static PrivateKey readKey(Path file, String algorithm)
      throws InvalidCertificateException {
    String pem;
    try {
      pem = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidCertificateException(file, "cannot be read: " + e.getMessage());
    }
    Matcher m = PKCS8.matcher(pem);
    if (!m.find()) {
      throw new InvalidCertificateException(file, "holds no PKCS#8 private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new InvalidCertificateException(
          file, "is not a " + algorithm + " key for the certificate");
    }
  }
}
