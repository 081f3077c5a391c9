package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of {@code upstreams[i].tls}, with the messages a user reads. */
class UpstreamTlsRulesTest {

  private static List<String> errorsOf(String tlsYaml) {
    String yaml =
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9443"}]
            tls:
        """
            + tlsYaml.indent(6);
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void aFullSettingIsValid() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            verify: true
            ca_file: /etc/wharf/ca.pem
            server_name: api.internal
            send_server_name: true
            certificate_file: /etc/wharf/client.pem
            key_file: /etc/wharf/client.key
            protocols: [TLSv1.2, TLSv1.3]
            ciphers: [TLS_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256]
            session_reuse: false
            """));
  }

  @Test
  void anEmptyTlsBlockMeansTheDefaults() {
    assertEquals(List.of(), errorsOf("verify: false\n"));
  }

  @Test
  void aClientCertificateNeedsItsKeyAndTheOtherWayRound() {
    assertEquals(
        List.of("upstreams[0].tls.key_file: required with certificate_file (the client key, PEM)"),
        errorsOf("certificate_file: /etc/wharf/client.pem\n"));
    assertEquals(
        List.of(
            "upstreams[0].tls.certificate_file: required with key_file (the client certificate,"
                + " PEM)"),
        errorsOf("key_file: /etc/wharf/client.key\n"));
  }

  @Test
  void onlyTls12And13AreAccepted() {
    assertEquals(
        List.of(
            "upstreams[0].tls.protocols[0]: 'TLSv1' is not supported (expected: TLSv1.2, TLSv1.3)",
            "upstreams[0].tls.protocols[1]: 'SSLv3' is not supported (expected: TLSv1.2, TLSv1.3)",
            "upstreams[0].tls.protocols[3]: 'TLSv1.3' is listed twice"),
        errorsOf("protocols: [TLSv1, SSLv3, TLSv1.3, TLSv1.3]\n"));
  }

  @Test
  void aCipherListIsOneNamePerEntry() {
    assertEquals(
        List.of(
            "upstreams[0].tls.ciphers[0]: 'AES128:AES256' is not a cipher suite name (one name per"
                + " entry, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)"),
        errorsOf("ciphers: [\"AES128:AES256\"]\n"));
  }

  @Test
  void theServerNameMustBeAHostName() {
    assertEquals(
        List.of(
            "upstreams[0].tls.server_name: 'api internal' is not a host name (expected e.g."
                + " api.internal)"),
        errorsOf("server_name: api internal\n"));
    assertEquals(
        List.of(
            "upstreams[0].tls.server_name: 'a_b.example' is not a host name (expected e.g."
                + " api.internal)"),
        errorsOf("server_name: a_b.example\n"));
    assertEquals(
        List.of(
            "upstreams[0].tls.server_name: 'api.internal\\r\\nX: y' is not a host name (expected"
                + " e.g. api.internal)"),
        errorsOf("server_name: \"api.internal\\r\\nX: y\"\n"));
  }
}
