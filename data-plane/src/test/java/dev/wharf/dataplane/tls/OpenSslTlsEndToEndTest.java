package dev.wharf.dataplane.tls;

import org.junit.jupiter.api.BeforeAll;

/** {@link TlsEndToEndTest} on the OpenSSL (BoringSSL) engine, which production prefers. */
class OpenSslTlsEndToEndTest extends TlsEndToEndTest {
  @BeforeAll
  static void openssl() throws Exception {
    start("openssl");
  }
}
