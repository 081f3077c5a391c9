package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@code listeners[i].http2}, each at its boundary (accepted) and just past it
 * (refused, with the message a user reads).
 */
class Http2RulesTest {
  private static final String TLS =
      "tls: {certificates: [{certificate_file: /etc/wharf/a.crt, key_file: /etc/wharf/a.key}]}";

  private static List<String> errorsOf(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void everySettingIsAcceptedAtBothEndsOfItsRange() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            listeners:
              - name: low
                port: 80
                http2:
                  cleartext: true
                  max_concurrent_streams: 1
                  max_header_list_size: 1k
                  initial_stream_window: 1k
                  connection_window: 1k
                  max_frame_size: 16k
                  header_table_size: 0
                  max_resets: 0
                  reset_window: 1s
              - name: high
                port: 81
                http2:
                  enabled: true
                  cleartext: true
                  max_concurrent_streams: 10000
                  max_header_list_size: 1m
                  initial_stream_window: 16m
                  connection_window: 1g
                  max_frame_size: 16777215
                  header_table_size: 64k
                  max_resets: 1000000
                  reset_window: 1h
                  websocket: false
              - name: unset-streams-and-default-stream-window
                port: 82
                http2: {max_concurrent_streams: 0, connection_window: 64k}
              - name: plain-off
                port: 83
                http2: {enabled: false}
            """
                + "  - {name: tls-on, port: 443, http2: {enabled: true, cleartext: false}, "
                + TLS
                + "}\n"
                + "  - {name: tls-off, port: 444, http2: {enabled: false}, "
                + TLS
                + "}\n"));
  }

  @Test
  void everySettingIsRefusedJustPastItsRangeWithThePathAndTheRange() {
    assertEquals(
        List.of(
            "listeners[0].http2.max_concurrent_streams: 10001 (expected: 1-10000)",
            "listeners[0].http2.max_header_list_size: 1023 (expected: 1024-1048576)",
            "listeners[0].http2.initial_stream_window: 1023 (expected: 1024-16777216)",
            "listeners[0].http2.max_frame_size: 16383 (expected: 16384-16777215)",
            "listeners[0].http2.header_table_size: 65537 (expected: 0-65536)",
            "listeners[0].http2.max_resets: 1000001 (expected: 0-1000000)",
            "listeners[0].http2.reset_window: 0s (expected: whole seconds, 1s-1h)",
            "listeners[1].http2.max_concurrent_streams: 4294967295 (expected: 1-10000)",
            "listeners[1].http2.max_header_list_size: 1048577 (expected: 1024-1048576)",
            "listeners[1].http2.initial_stream_window: 16777217 (expected: 1024-16777216)",
            "listeners[1].http2.connection_window: 1073741825 (expected: at most 1073741824)",
            "listeners[1].http2.max_frame_size: 16777216 (expected: 16384-16777215)",
            "listeners[1].http2.max_resets: 4294967295 (expected: 0-1000000)",
            "listeners[1].http2.reset_window: 1h1s (expected: whole seconds, 1s-1h)",
            "listeners[2].http2.reset_window: 1s500ms (expected: whole seconds, 1s-1h)"),
        errorsOf(
            """
            listeners:
              - name: low
                port: 80
                http2:
                  max_concurrent_streams: 10001
                  max_header_list_size: 1023
                  initial_stream_window: 1023
                  max_frame_size: 16383
                  header_table_size: 65537
                  max_resets: 1000001
                  reset_window: 0s
              - name: high
                port: 81
                http2:
                  max_concurrent_streams: 4294967295
                  max_header_list_size: 1048577
                  initial_stream_window: 16777217
                  connection_window: 1073741825
                  max_frame_size: 16m
                  max_resets: 4294967295
                  reset_window: 3601s
              - name: fraction
                port: 82
                http2: {reset_window: 1500ms}
            """));
  }

  @Test
  void theConnectionWindowIsAtLeastTheStreamWindowSetOrDefault() {
    assertEquals(
        List.of(
            "listeners[0].http2.connection_window: 65535 is smaller than the default "
                + "initial_stream_window 64k (the streams share the connection's window)",
            "listeners[1].http2.connection_window: 127k is smaller than initial_stream_window "
                + "128k (the streams share the connection's window)"),
        errorsOf(
            """
            listeners:
              - {name: a, port: 80, http2: {connection_window: 65535}}
              - {name: b, port: 81, http2: {initial_stream_window: 128k, connection_window: 127k}}
              - {name: c, port: 82, http2: {initial_stream_window: 128k, connection_window: 128k}}
              - {name: d, port: 83, http2: {initial_stream_window: 1k, connection_window: 1k}}
            """));
  }

  @Test
  void cleartextIsForPlainListenersWithHttp2Enabled() {
    assertEquals(
        List.of(
            "listeners[0].http2.cleartext: cleartext is for listeners without tls; with tls, h2 "
                + "is offered through ALPN",
            "listeners[1].http2.cleartext: cleartext speaks HTTP/2, which enabled: false turns "
                + "off (drop one of them)",
            "listeners[2].http2.cleartext: cleartext is for listeners without tls; with tls, h2 "
                + "is offered through ALPN",
            "listeners[2].http2.cleartext: cleartext speaks HTTP/2, which enabled: false turns "
                + "off (drop one of them)"),
        errorsOf(
            "listeners:\n"
                + "  - {name: a, port: 443, http2: {cleartext: true}, "
                + TLS
                + "}\n"
                + "  - {name: b, port: 80, http2: {enabled: false, cleartext: true}}\n"
                + "  - {name: c, port: 444, http2: {enabled: false, cleartext: true}, "
                + TLS
                + "}\n"
                + "  - {name: d, port: 81, http2: {enabled: true, cleartext: true}}\n"));
  }
}
