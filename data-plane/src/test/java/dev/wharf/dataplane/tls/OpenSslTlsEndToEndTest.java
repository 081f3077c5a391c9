package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.CommandRunner;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TlsEndToEndTest} on the OpenSSL (BoringSSL) engine, which production prefers. */
class OpenSslTlsEndToEndTest extends TlsEndToEndTest {
  @BeforeAll
  static void openssl() throws Exception {
    start("openssl");
  }

  @Test
  void anOcspResponseFileIsStapled() throws Exception {
    String der = pki.ocspResponse(aRsa).toString();
    try (TestNode stapling =
        TestNode.start(
            ports ->
                """
                listeners:
                  - name: stapled
                    address: 127.0.0.1
                    port: %d
                    tls:
                      certificates:
                        - {certificate_file: "%s", key_file: "%s", ocsp_response_file: "%s"}
                """
                    .formatted(ports.next(), aRsa.certificate(), aRsa.key(), der))) {
      CommandRunner.Result r =
          CommandRunner.run(
              WAIT,
              List.of(
                  "/usr/bin/openssl",
                  "s_client",
                  "-connect",
                  "127.0.0.1:" + stapling.address("stapled").getPort(),
                  "-servername",
                  "a.example.com",
                  "-status"));
      assertTrue(r.stdout().contains("OCSP Response Status: successful"), r.toString());
      assertTrue(r.stdout().contains("Cert Status: good"), r.toString());
    }
  }
}
