package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of {@code listeners[i].tls}, with the messages a user reads. */
class ListenerTlsRulesTest {
  private static List<String> errorsOf(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void aValidTlsListenerHasNoErrors() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            listeners:
              - name: web
                port: 443
                tls:
                  certificates:
                    - {certificate_file: /etc/wharf/a.crt, key_file: /etc/wharf/a.key,
                       server_names: [example.com, "*.example.com"]}
                    - {directory: /var/run/secrets/tls}
                  protocols: [TLSv1.3]
                  ciphers: [ECDHE-RSA-AES128-GCM-SHA256]
                  sessions: {tickets: false, cache_size: 0, timeout: 10m}
                  client_verification: {mode: optional, ca_file: /etc/wharf/ca.pem, depth: 2}
                  handshake_timeout: 5s
                  max_concurrent_handshakes: 200
                  record_size: 4k
            """));
  }

  @Test
  void certificatesProtocolsCiphersAndLimitsAreCheckedWithTheirPath() {
    assertEquals(
        List.of(
            "listeners[0].tls.certificates: at least one certificate is required",
            "listeners[0].tls.protocols[0]: TLSv1.1 is refused: it is broken or deprecated"
                + " (RFC 8996); use TLSv1.2 or TLSv1.3",
            "listeners[0].tls.protocols[1]: 'TLS1.3' is not one of TLSv1.2, TLSv1.3",
            "listeners[0].tls.ciphers[0]: '' is not a cipher suite name (one name per entry,"
                + " e.g. ECDHE-RSA-AES128-GCM-SHA256)",
            "listeners[0].tls.ciphers[1]: 'AES128:AES256' is not a cipher suite name (one name"
                + " per entry, e.g. ECDHE-RSA-AES128-GCM-SHA256)",
            "listeners[0].tls.sessions.timeout: 0s (expected: > 0)",
            "listeners[0].tls.client_verification.ca_file: required (the CA bundle client"
                + " certificates must chain to)",
            "listeners[0].tls.client_verification.depth: 11 (expected: 1-10)",
            "listeners[0].tls.handshake_timeout: 0s (expected: > 0)",
            "listeners[0].tls.record_size: 65536 (expected: 512-16384)",
            "listeners[1].tls.certificates[0].key_file: required with certificate_file",
            "listeners[1].tls.certificates[1].certificate_file: required (or a directory)",
            "listeners[1].tls.certificates[2].directory: either a directory (with tls.crt and"
                + " tls.key) or certificate_file and key_file, not both",
            "listeners[1].tls.certificates[3].server_names[0]: 'a.*.example.com' is not a"
                + " server name (expected e.g. example.com or *.example.com)"),
        errorsOf(
            """
            listeners:
              - name: a
                port: 443
                tls:
                  protocols: [TLSv1.1, TLS1.3]
                  ciphers: ["", "AES128:AES256"]
                  sessions: {timeout: 0s}
                  client_verification: {depth: 11}
                  handshake_timeout: 0s
                  record_size: 64k
              - name: b
                port: 444
                tls:
                  certificates:
                    - {certificate_file: a.crt}
                    - {key_file: a.key}
                    - {directory: /tls, certificate_file: a.crt, key_file: a.key}
                    - {directory: /tls, server_names: [a.*.example.com]}
            """));
  }

  @Test
  void theTlsVariablesAreKnown() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            listeners:
              - {name: web, port: 8080}
            upstreams:
              - name: api
                endpoints: [{address: "127.0.0.1:9000"}]
            routes:
              - name: r
                match: {path: {prefix: /}}
                proxy: {upstream: api}
                request_headers:
                  set:
                    - {name: X-Forwarded-Proto, value: $scheme}
                    - {name: X-Tls, value: "$https $ssl_protocol $ssl_cipher $ssl_server_name"}
                    - {name: X-Client, value: "$ssl_client_verify $ssl_client_s_dn"}
            """));
  }
}
