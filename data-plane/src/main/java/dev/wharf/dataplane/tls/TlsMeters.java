package dev.wharf.dataplane.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The TLS meters of a node: connections refused before or during the handshake, by reason. */
final class TlsMeters {
  private final MeterRegistry registry;

  TlsMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Counts a connection closed without a finished handshake: {@code over_capacity} (the cap of
   * handshakes in progress), {@code unknown_server_name}, {@code plain_http}, {@code not_tls},
   * {@code handshake_failed} (protocol, cipher, certificate, timeout).
   */
  void refused(String listener, String reason) {
    Counter.builder("wharf.tls.handshakes.refused")
        .description("TLS connections closed without a finished handshake, by reason")
        .tag("listener", listener)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }
}
