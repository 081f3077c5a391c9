package dev.wharf.dataplane.tls;

import dev.wharf.dataplane.tls.Der.DerException;
import dev.wharf.dataplane.tls.Der.Element;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Map;

/**
 * Reads an unencrypted PEM private key in the three forms OpenSSL writes: PKCS#8 ({@code BEGIN
 * PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}, a
 * named curve P-256, P-384 or P-521). The last two are wrapped into PKCS#8, which is what the JDK
 * and netty-tcnative take. Encrypted keys are refused: a node has no one to ask for a passphrase.
 */
final class PrivateKeys {
  static final String RSA_OID = "1.2.840.113549.1.1.1";
  static final String EC_OID = "1.2.840.10045.2.1";
  private static final Map<String, String> ALGORITHMS =
      Map.of(RSA_OID, "RSA", EC_OID, "EC", "1.3.101.112", "Ed25519", "1.3.101.113", "Ed448");
  private static final Map<String, String> CURVES =
      Map.of(
          "1.2.840.10045.3.1.7", "P-256",
          "1.3.132.0.34", "P-384",
          "1.3.132.0.35", "P-521");
  private static final String ENCRYPTED =
      "is encrypted with a passphrase; Wharf reads unencrypted keys only"
          + " (decrypt it where it is made: openssl pkey -in KEY -out KEY.plain)";

  private PrivateKeys() {}

  /** The key in {@code text}, the contents of {@code file} (named in every refusal). */
  static PrivateKey read(Path file, String text) throws InvalidCertificateException {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.parse(text);
    } catch (Pem.PemException e) {
      throw new InvalidCertificateException(file, "is not a PEM private key: " + e.getMessage());
    }
    for (Pem.Block block : blocks) {
      switch (block.label()) {
        case "ENCRYPTED PRIVATE KEY" -> throw new InvalidCertificateException(file, ENCRYPTED);
        case "PRIVATE KEY" -> {
          return fromPkcs8(file, block.der());
        }
        case "RSA PRIVATE KEY" -> {
          refuseEncrypted(file, block);
          return fromPkcs8(file, pkcs1ToPkcs8(file, block.der()));
        }
        case "EC PRIVATE KEY" -> {
          refuseEncrypted(file, block);
          return fromPkcs8(file, sec1ToPkcs8(file, block.der()));
        }
        default -> {
          // EC PARAMETERS, certificates in the same file: not the key
        }
      }
    }
    throw new InvalidCertificateException(
        file,
        "holds no private key (expected a PEM block BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY"
            + " or BEGIN EC PRIVATE KEY)");
  }

  private static void refuseEncrypted(Path file, Pem.Block block)
      throws InvalidCertificateException {
    if (block.encrypted()) {
      throw new InvalidCertificateException(file, ENCRYPTED);
    }
    if (block.hasHeaders()) {
      throw new InvalidCertificateException(file, "has PEM headers in its key block");
    }
  }

  /** PKCS#1 RSAPrivateKey to PrivateKeyInfo {0, {rsaEncryption, NULL}, OCTET STRING}. */
  static byte[] pkcs1ToPkcs8(Path file, byte[] pkcs1) throws InvalidCertificateException {
    try {
      List<Element> fields = Der.parse(pkcs1).expect(Der.SEQUENCE).children();
      if (fields.size() < 9) {
        throw new DerException("an RSA private key has 9 fields, found " + fields.size());
      }
    } catch (DerException e) {
      throw new InvalidCertificateException(file, "is not a PKCS#1 RSA key: " + e.getMessage());
    }
    return Der.sequence(
        Der.integer(0), Der.sequence(Der.oid(RSA_OID), Der.nullValue()), Der.octetString(pkcs1));
  }

  /**
   * SEC1 ECPrivateKey {1, OCTET STRING, [0] curve, [1] public key} to PrivateKeyInfo {0,
   * {id-ecPublicKey, curve}, OCTET STRING}. The curve must be named in the key: a key with explicit
   * curve parameters (openssl {@code -param_enc explicit}) is refused.
   */
  static byte[] sec1ToPkcs8(Path file, byte[] sec1) throws InvalidCertificateException {
    String curveOid = null;
    try {
      List<Element> fields = Der.parse(sec1).expect(Der.SEQUENCE).children();
      if (fields.size() < 2) {
        throw new DerException("an EC private key has at least 2 fields");
      }
      fields.get(0).expect(Der.INTEGER);
      fields.get(1).expect(Der.OCTET_STRING);
      for (Element field : fields.subList(2, fields.size())) {
        if (field.tag() == 0xa0) {
          List<Element> parameters = field.children();
          if (parameters.size() != 1 || parameters.get(0).tag() != Der.OID) {
            throw new InvalidCertificateException(
                file, "has explicit EC curve parameters; use a named curve (P-256, P-384, P-521)");
          }
          curveOid = Der.oidString(parameters.get(0).content());
        }
      }
    } catch (DerException e) {
      throw new InvalidCertificateException(file, "is not a SEC1 EC key: " + e.getMessage());
    }
    if (curveOid == null) {
      throw new InvalidCertificateException(file, "is an EC key that does not name its curve");
    }
    if (!CURVES.containsKey(curveOid)) {
      throw new InvalidCertificateException(
          file, "is an EC key on curve " + curveOid + " (expected: P-256, P-384 or P-521)");
    }
    return Der.sequence(
        Der.integer(0), Der.sequence(Der.oid(EC_OID), Der.oid(curveOid)), Der.octetString(sec1));
  }

  private static PrivateKey fromPkcs8(Path file, byte[] pkcs8) throws InvalidCertificateException {
    String oid;
    try {
      List<Element> fields = Der.parse(pkcs8).expect(Der.SEQUENCE).children();
      if (fields.size() < 3) {
        throw new DerException("a PKCS#8 key has at least 3 fields");
      }
      List<Element> algorithm = fields.get(1).expect(Der.SEQUENCE).children();
      if (algorithm.isEmpty()) {
        throw new DerException("empty algorithm identifier");
      }
      oid = Der.oidString(algorithm.get(0).expect(Der.OID).content());
    } catch (DerException e) {
      throw new InvalidCertificateException(file, "is not a PKCS#8 key: " + e.getMessage());
    }
    String algorithm = ALGORITHMS.get(oid);
    if (algorithm == null) {
      throw new InvalidCertificateException(
          file, "holds a key of algorithm " + oid + " (expected: RSA, EC, Ed25519 or Ed448)");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InvalidCertificateException(
          file, "holds an " + algorithm + " key that cannot be read: " + e.getMessage());
    }
  }
}
