package dev.wharf.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a watched file is at one moment: where its symlinks lead, and a hash of its bytes (or why it
 * could not be read). Two fingerprints differ when the content changed, when a rename put another
 * file in its place, or when a symlink (a Kubernetes Secret's or ConfigMap's {@code ..data}) now
 * leads elsewhere. Only the hash and the resolved path count: a {@code touch} is no change.
 *
 * <p>The one home of "has this file changed" for every watch: TLS certificates and config files.
 *
 * @param realPath the file after following every symlink, or the path itself if it is missing
 * @param sha256 hex SHA-256 of the content, empty when the file could not be read
 * @param problem why the file could not be read, empty when it could
 */
public record FileFingerprint(Path realPath, String sha256, String problem) {
  /**
   * Reads {@code file} (blocking; never on an event loop). Never throws: problems are data. A file
   * larger than {@code maxBytes} is not read.
   */
  public static FileFingerprint of(Path file, long maxBytes) {
    try {
      Path real = file.toRealPath();
      long size = Files.size(real);
      if (size > maxBytes) {
        return new FileFingerprint(real, "", "too large: " + size + " bytes");
      }
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(real));
      return new FileFingerprint(real, HexFormat.of().formatHex(digest), "");
    } catch (NoSuchFileException e) {
      return new FileFingerprint(file, "", "missing");
    } catch (IOException e) {
      return new FileFingerprint(file, "", e.toString());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
