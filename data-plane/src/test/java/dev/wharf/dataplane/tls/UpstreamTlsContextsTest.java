package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a TLS client is kept across applies, rebuilt, or the config refused. */
class UpstreamTlsContextsTest {
  @TempDir Path dir;

  private static Config config(String tls) {
    return ConfigDocuments.parse(
            """
            listeners:
              - {name: web, port: 8080}
            upstreams:
              - name: plain
                endpoints: [{address: "127.0.0.1:9000"}]
              - name: api
                endpoints: [{address: "127.0.0.1:9443"}]
                tls: %s
            """
                .formatted(tls),
            "test")
        .config();
  }

  @Test
  void unchangedSettingsKeepTheClientAndAChangeBuildsANewOne() throws Exception {
    TestCertificates ca = TestCertificates.create(dir, "ca");
    UpstreamTlsContexts contexts = new UpstreamTlsContexts();
    String tls = "{ca_file: \"" + ca.certificate() + "\"}";

    UpstreamTlsClient first = contexts.update(config(tls)).get("api");
    UpstreamTlsClient again = contexts.update(config(tls)).get("api");
    Files.setLastModifiedTime(ca.certificate(), FileTime.from(Instant.now().plusSeconds(60)));
    UpstreamTlsClient afterRotation = contexts.update(config(tls)).get("api");
    UpstreamTlsClient renamed =
        contexts
            .update(config("{ca_file: \"" + ca.certificate() + "\", server_name: a.internal}"))
            .get("api");

    assertSame(first, again);
    assertNotSame(first, afterRotation, "a rewritten CA file is read again");
    assertNotSame(afterRotation, renamed);
    assertEquals("a.internal", renamed.peerName("127.0.0.1"));
    assertEquals(null, contexts.update(config(tls)).get("plain"));
  }

  @Test
  void filesThatCannotServeRefuseTheConfigNamingTheField() throws Exception {
    TestCertificates client = TestCertificates.create(dir, "client");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERT\u0000\r\n");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    UpstreamTlsContexts contexts = new UpstreamTlsContexts();

    assertEquals(
        "upstreams[1].tls.ca_file: " + dir.resolve("nope.pem") + " does not exist",
        refusal(contexts, "{ca_file: \"" + dir.resolve("nope.pem") + "\"}"));
    assertEquals(
        "upstreams[1].tls.ca_file: " + empty + " holds no certificate",
        refusal(contexts, "{ca_file: \"" + empty + "\"}"));
    assertEquals(
        "upstreams[1].tls.key_file: "
            + garbage
            + " holds no private key (expected a PEM block BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY"
            + " or BEGIN EC PRIVATE KEY)",
        refusal(
            contexts,
            "{certificate_file: \"" + client.certificate() + "\", key_file: \"" + garbage + "\"}"));
    assertEquals(
        "upstreams[1].tls.certificate_file: "
            + garbage
            + " holds no certificate (expected PEM blocks BEGIN CERTIFICATE)",
        refusal(
            contexts,
            "{certificate_file: \"" + garbage + "\", key_file: \"" + client.privateKey() + "\"}"));
    String ciphers = refusal(contexts, "{ciphers: [NOT-A-CIPHER]}");
    assertTrue(
        ciphers.startsWith("upstreams[1].tls.ciphers: the TLS engine refuses these settings: "),
        ciphers);
  }

  private static String refusal(UpstreamTlsContexts contexts, String tls) {
    ConfigException e = assertThrows(ConfigException.class, () -> contexts.update(config(tls)));
    return e.errors().get(0).toString();
  }
}
