package dev.wharf.dataplane.tls;

import java.time.Duration;
import java.util.List;

/** The defaults of a listener's {@code tls}, as docs/configuration.md states them. */
public final class TlsDefaults {
  /** TLS 1.2 and 1.3; older versions are refused by the validator. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * Mozilla's "intermediate" TLS 1.2 suites (Server Side TLS guideline 5.7), OpenSSL names, in its
   * order. The DHE suites are skipped by engines without them (BoringSSL).
   */
  public static final List<String> CIPHERS =
      List.of(
          "ECDHE-ECDSA-AES128-GCM-SHA256",
          "ECDHE-RSA-AES128-GCM-SHA256",
          "ECDHE-ECDSA-AES256-GCM-SHA384",
          "ECDHE-RSA-AES256-GCM-SHA384",
          "ECDHE-ECDSA-CHACHA20-POLY1305",
          "ECDHE-RSA-CHACHA20-POLY1305",
          "DHE-RSA-AES128-GCM-SHA256",
          "DHE-RSA-AES256-GCM-SHA384",
          "DHE-RSA-CHACHA20-POLY1305");

  /** The TLS 1.3 suites, always enabled (they are not configurable in BoringSSL either). */
  static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final int MAX_CONCURRENT_HANDSHAKES = 1000;
  public static final int RECORD_SIZE = 16 * 1024;
  public static final int SESSION_CACHE_SIZE = 20_000;
  public static final Duration SESSION_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration TICKET_KEY_ROTATION = Duration.ofHours(1);
  public static final int CLIENT_VERIFY_DEPTH = 1;

  private TlsDefaults() {}
}
