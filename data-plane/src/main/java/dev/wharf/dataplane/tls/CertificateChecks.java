package dev.wharf.dataplane.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a certificate and key must pass before they serve: the key belongs to the first certificate,
 * every certificate of the chain is signed by the one after it, and the first is valid now. A
 * certificate that expires within {@link #EXPIRY_WARNING} passes with a warning.
 */
final class CertificateChecks {
  /** How close to its end a certificate may be before loading it warns. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private static final Map<String, String> SIGNATURES =
      Map.of(
          "RSA", "SHA256withRSA",
          "EC", "SHA256withECDSA",
          "Ed25519", "Ed25519",
          "Ed448", "Ed448");
  private static final byte[] CHALLENGE =
      "wharf: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);

  private CertificateChecks() {}

  /** Refuses a key that is not the private half of the first certificate's public key. */
  static void keyMatches(Path certFile, Path keyFile, PrivateKey key, List<X509Certificate> chain)
      throws InvalidCertificateException {
    if (matches(key, chain.get(0).getPublicKey())) {
      return;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (matches(key, chain.get(i).getPublicKey())) {
        throw new InvalidCertificateException(
            certFile,
            "does not start with the certificate of the key in "
                + keyFile
                + ": the key belongs to certificate "
                + (i + 1)
                + " of "
                + chain.size()
                + " ("
                + subject(chain.get(i))
                + "); put the server's certificate first");
      }
    }
    throw new InvalidCertificateException(
        certFile,
        "and the key in "
            + keyFile
            + " do not belong together: the "
            + key.getAlgorithm()
            + " key is not the private key of the certificate ("
            + subject(chain.get(0))
            + ", "
            + chain.get(0).getPublicKey().getAlgorithm()
            + ")");
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = SIGNATURES.get(key.getAlgorithm());
    if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(CHALLENGE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(CHALLENGE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // e.g. an EC key on another curve than the certificate's
    }
  }

  /** Refuses a chain in which a certificate is not signed by the one that follows it. */
  static void chainInOrder(Path certFile, List<X509Certificate> chain)
      throws InvalidCertificateException {
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate child = chain.get(i);
      X509Certificate issuer = chain.get(i + 1);
      try {
        child.verify(issuer.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new InvalidCertificateException(
            certFile,
            "has its chain out of order: certificate "
                + (i + 1)
                + " ("
                + subject(child)
                + ", issued by "
                + child.getIssuerX500Principal().getName()
                + ") is not signed by certificate "
                + (i + 2)
                + " ("
                + subject(issuer)
                + "); expected: the server's certificate, then each issuer in turn");
      }
    }
  }

  /**
   * Refuses a first certificate that is expired or not valid yet at {@code now}; returns the
   * warnings for one that passes (empty, or one line if it expires within two weeks).
   */
  static List<String> validAt(Path certFile, X509Certificate leaf, Instant now)
      throws InvalidCertificateException {
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new InvalidCertificateException(
          certFile, "has expired: " + subject(leaf) + " was valid until " + notAfter);
    }
    if (now.isBefore(notBefore)) {
      throw new InvalidCertificateException(
          certFile,
          "is not valid yet: "
              + subject(leaf)
              + " is valid from "
              + notBefore
              + " (now "
              + now
              + "; check the clock)");
    }
    List<String> warnings = new ArrayList<>();
    Duration left = Duration.between(now, notAfter);
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      warnings.add(
          certFile
              + " expires in "
              + left.toDays()
              + " days ("
              + notAfter
              + "): "
              + subject(leaf)
              + "; renew it");
    }
    return List.copyOf(warnings);
  }

  static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
