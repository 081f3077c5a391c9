package dev.wharf.dataplane.tls;

import org.junit.jupiter.api.BeforeAll;

/** {@link TlsEndToEndTest} on the JDK's engine, where OpenSSL does not load. */
class JdkTlsEndToEndTest extends TlsEndToEndTest {
  @BeforeAll
  static void jdk() throws Exception {
    start("jdk");
  }
}
