package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.Certificate;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Where one configured certificate's material lives: a certificate file and a key file, or a
 * directory holding {@code tls.crt} and {@code tls.key} (a Kubernetes TLS Secret mount).
 *
 * @param name how logs and metrics name it: its first server name, else its file or directory
 * @param certificateFile the PEM chain
 * @param keyFile the PEM private key
 */
public record CertificateSource(String name, Path certificateFile, Path keyFile) {
  /**
   * The files a {@link Certificate} of the config names (the validator made sure it names some).
   */
  public static CertificateSource of(Certificate certificate) {
    Path certificateFile;
    Path keyFile;
    String where;
    if (!certificate.getDirectory().isEmpty()) {
      Path directory = Path.of(certificate.getDirectory());
      certificateFile = directory.resolve(CertificateMaterial.DIRECTORY_CERTIFICATE);
      keyFile = directory.resolve(CertificateMaterial.DIRECTORY_KEY);
      where = certificate.getDirectory();
    } else {
      certificateFile = Path.of(certificate.getCertificateFile());
      keyFile = Path.of(certificate.getKeyFile());
      where = certificate.getCertificateFile();
    }
    String name = certificate.getServerNamesCount() > 0 ? certificate.getServerNames(0) : where;
    return new CertificateSource(name, certificateFile, keyFile);
  }

  /** The files whose change means a reload. */
  List<Path> files() {
    return List.of(certificateFile, keyFile);
  }

  /** Reads and checks the material now. Blocks: never on an event loop. */
  public CertificateMaterial load(Clock clock) throws InvalidCertificateException {
    return CertificateMaterial.load(certificateFile, keyFile, clock);
  }
}
