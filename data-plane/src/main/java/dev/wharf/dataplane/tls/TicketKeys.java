package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.TlsSessions;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Session ticket keys of one listener (OpenSSL engine). From {@code ticket_key_files} (80 bytes
 * each, nginx's layout: 16 name, 32 HMAC secret, 32 AES key; BoringSSL's ticket cipher uses the
 * first 16 bytes of each secret), the first encrypting and all decrypting; or made by the node and
 * rotated every {@code ticket_key_rotation}, the previous key still decrypting for one period.
 *
 * <p>With the JDK engine these keys do not apply: the JDK makes and rotates its own ticket keys
 * ({@code jdk.tls.server.statelessKeyTimeout}), and tickets follow {@code
 * jdk.tls.server.enableSessionTicketExtension}.
 *
 * <p>Threading: {@link #rotateIfDue} and {@link #applyTo} are called by the node's config thread
 * and its ticket timer; both synchronize.
 */
final class TicketKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean enabled;
  private final boolean fromFiles;
  private final long rotationNanos;
  private List<OpenSslSessionTicketKey> keys;
  private long rotatedAt;

  private TicketKeys(boolean enabled, boolean fromFiles, long rotationNanos, long now) {
    this.enabled = enabled;
    this.fromFiles = fromFiles;
    this.rotationNanos = rotationNanos;
    this.rotatedAt = now;
  }

  /**
   * @throws TlsSetupException a key file cannot be read or is not 80 bytes
   */
  static TicketKeys of(TlsSessions s, long now) throws TlsSetupException {
    boolean enabled = !s.hasTickets() || s.getTickets();
    long rotation =
        s.hasTicketKeyRotation()
            ? s.getTicketKeyRotation().getSeconds() * 1_000_000_000L
            : TlsDefaults.TICKET_KEY_ROTATION.toNanos();
    TicketKeys keys = new TicketKeys(enabled, s.getTicketKeyFilesCount() > 0, rotation, now);
    List<OpenSslSessionTicketKey> list = new ArrayList<>();
    for (int i = 0; i < s.getTicketKeyFilesCount(); i++) {
      list.add(read(Path.of(s.getTicketKeyFiles(i)), "sessions.ticket_key_files[" + i + "]"));
    }
    if (list.isEmpty()) {
      list.add(random());
    }
    keys.keys = list;
    return keys;
  }

  private static OpenSslSessionTicketKey read(Path file, String field) throws TlsSetupException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TlsSetupException(field, file + " cannot be read: " + e.getMessage());
    }
    if (bytes.length != 80) {
      throw new TlsSetupException(
          field, file + " holds " + bytes.length + " bytes (expected: 80, as nginx's)");
    }
    return new OpenSslSessionTicketKey(
        Arrays.copyOfRange(bytes, 0, 16),
        Arrays.copyOfRange(bytes, 16, 32),
        Arrays.copyOfRange(bytes, 48, 64));
  }

  private static OpenSslSessionTicketKey random() {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    RANDOM.nextBytes(name);
    RANDOM.nextBytes(hmac);
    RANDOM.nextBytes(aes);
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }

  /** False for {@code tickets: false}: no engine of the listener issues tickets. */
  boolean enabled() {
    return enabled;
  }

  /** Sets the keys on every OpenSSL context of {@code tls}; a no-op with the JDK engine. */
  synchronized void applyTo(ServerTls tls) {
    if (!enabled) {
      return;
    }
    OpenSslSessionTicketKey[] current = keys.toArray(new OpenSslSessionTicketKey[0]);
    for (SslContext c : tls.contexts()) {
      if (c.sessionContext() instanceof OpenSslSessionContext s) {
        s.setTicketKeys(current);
      }
    }
  }

  /** Makes a new encrypting key when node-made keys are due; true when it did. */
  synchronized boolean rotateIfDue(long now) {
    if (!enabled || fromFiles || now - rotatedAt < rotationNanos) {
      return false;
    }
    keys = List.of(random(), keys.get(0));
    rotatedAt = now;
    return true;
  }
}
