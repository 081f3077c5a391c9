package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TLS engine is looked for when the first listener with TLS is built, not when a node starts: a
 * node without TLS does not load the OpenSSL library (about 15 MB of resident memory). {@link
 * TlsEndToEndTest} checks that a node with TLS still reports its engine.
 */
@ExtendWith(NettyLeakExtension.class)
class TlsEngineOnFirstUseTest {
  private static final String ENGINE_INFO = "wharf.tls.engine.info";

  @Test
  void aNodeWithoutTlsListenersReportsNoEngine() throws Exception {
    try (TestBackend backend = TestBackend.start("app");
        TestNode node =
            TestNode.start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %d}
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    routes:
                      - name: app
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                    """
                        .formatted(ports.next(), backend.endpoint()))) {
      assertNull(node.registry().find(ENGINE_INFO).gauge(), "engine looked for without TLS");
    }
  }

  @Test
  void theEngineIsDetectedAndAnnouncedOnceOnFirstUse() {
    MeterRegistry registry = new SimpleMeterRegistry();
    Supplier<TlsEngine> engine = TlsEngine.onFirstUse(registry);
    assertNull(registry.find(ENGINE_INFO).gauge(), "announced before it was asked for");

    TlsEngine first = engine.get();

    assertSame(first, engine.get());
    assertEquals(TlsEngine.detect(), first);
    assertNotNull(registry.find(ENGINE_INFO).tag("engine", first.tag()).gauge());
    assertEquals(1, registry.find(ENGINE_INFO).gauges().size());
  }
}
