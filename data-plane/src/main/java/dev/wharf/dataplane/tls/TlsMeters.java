package dev.wharf.dataplane.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * The TLS meters of a node: connections refused before or during the handshake, by reason, each
 * connection once (the first reason found: a plain HTTP request also ends the handshake, and is
 * counted as {@code plain_http} only).
 */
final class TlsMeters {
  private static final AttributeKey<Boolean> COUNTED =
      AttributeKey.valueOf("wharf.tls-refusal-counted");

  /** Every reason a connection is counted under. */
  static final List<String> REASONS =
      List.of("over_capacity", "unknown_server_name", "plain_http", "not_tls", "handshake_failed");

  private final MeterRegistry registry;

  TlsMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A TLS listener exists: its refusal counters are there, at zero, before the first refusal. */
  void listener(String listener) {
    for (String reason : REASONS) {
      counter(listener, reason);
    }
  }

  /**
   * Counts a connection closed without a finished handshake: {@code over_capacity} (the cap of
   * handshakes in progress), {@code unknown_server_name}, {@code plain_http}, {@code not_tls},
   * {@code handshake_failed} (protocol, cipher, certificate, timeout).
   */
  void refused(Channel connection, String listener, String reason) {
    if (connection.attr(COUNTED).setIfAbsent(Boolean.TRUE) != null) {
      return;
    }
    counter(listener, reason).increment();
  }

  private Counter counter(String listener, String reason) {
    return Counter.builder("wharf.tls.handshakes.refused")
        .description("TLS connections closed without a finished handshake, by reason")
        .tag("listener", listener)
        .tag("reason", reason)
        .register(registry);
  }
}
