package dev.wharf.dataplane.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot serve: the message names the file and the reason. */
public final class InvalidCertificateException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Path file;

  public InvalidCertificateException(Path file, String reason) {
    super(file + " " + reason);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
