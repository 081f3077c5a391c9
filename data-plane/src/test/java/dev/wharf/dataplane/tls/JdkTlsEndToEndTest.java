package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TlsEndToEndTest} on the JDK's engine, where OpenSSL does not load. */
class JdkTlsEndToEndTest extends TlsEndToEndTest {
  @BeforeAll
  static void jdk() throws Exception {
    start("jdk");
  }

  @Test
  void anOcspResponseFileIsRefusedWithTheReason() {
    String yaml =
        """
        listeners:
          - name: stapled
            address: 127.0.0.1
            port: %d
            tls:
              certificates:
                - {certificate_file: "%s", key_file: "%s", ocsp_response_file: /dev/null}
        """
            .formatted(port("web"), aRsa.certificate(), aRsa.key());
    ConfigException e = assertThrows(ConfigException.class, () -> node.apply(yaml));
    assertTrue(
        e.getMessage()
            .contains(
                "listeners[0].tls.certificates[0].ocsp_response_file: OCSP stapling needs the"
                    + " OpenSSL engine"),
        e.getMessage());
  }
}
