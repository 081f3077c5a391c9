package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** proxy_protocol and real_ip of a listener, with the messages a user reads. */
class ClientAddressRulesTest {
  private static List<String> errorsOf(String listenerFields) {
    String yaml = "listeners:\n  - name: web\n    port: 8080\n" + listenerFields.indent(4);
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void validSettingsPass() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            proxy_protocol: {trusted_sources: ["10.0.0.0/8", "::1", "192.0.2.7/32"]}
            real_ip: {trusted_sources: ["127.0.0.0/8"], header: X-Real-IP, recursive: true}
            """));
  }

  @Test
  void trustedSourcesAreRequired() {
    assertEquals(
        List.of(
            "listeners[0].proxy_protocol.trusted_sources: required: the balancers allowed to send"
                + " PROXY headers (e.g. 10.0.0.0/8, 192.0.2.7, ::1/128)",
            "listeners[0].real_ip.trusted_sources: required: the peers whose header is believed"
                + " (e.g. 10.0.0.0/8, 192.0.2.7, ::1/128)"),
        errorsOf(
            """
            proxy_protocol: {use_as_remote_addr: false}
            real_ip: {header: X-Forwarded-For}
            """));
  }

  @Test
  void eachSourceIsARangeAndTheErrorNamesItsIndex() {
    assertEquals(
        List.of(
            "listeners[0].proxy_protocol.trusted_sources[1]: 'lb.example' is not an IP address or"
                + " range (expected e.g. 10.0.0.0/8, ::1/128, 192.0.2.7; host names are not"
                + " resolved)",
            "listeners[0].real_ip.trusted_sources[0]: '10.0.0.0/40': prefix length '40'"
                + " (expected: 0-32 for IPv4)"),
        errorsOf(
            """
            proxy_protocol: {trusted_sources: ["10.0.0.0/8", lb.example]}
            real_ip: {trusted_sources: ["10.0.0.0/40"]}
            """));
  }

  @Test
  void theHeaderIsAFieldName() {
    assertEquals(
        List.of(
            "listeners[0].real_ip.header: 'X Real IP' is not a header name"
                + " (expected e.g. X-Real-IP)"),
        errorsOf("real_ip: {trusted_sources: [\"10.0.0.0/8\"], header: \"X Real IP\"}"));
    assertEquals(
        List.of(
            "listeners[0].real_ip.header: the PROXY protocol address is taken with"
                + " proxy_protocol.use_as_remote_addr, not a header"),
        errorsOf("real_ip: {trusted_sources: [\"10.0.0.0/8\"], header: proxy_protocol}"));
  }
}
