package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backend whose connections die without a close frame (reset, or a plain TCP close), through a
 * real node to the JDK's WebSocket client: each client reads {@code 1014}, where it saw its
 * connection just end (1006) before.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamLossEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CLIENTS = 8;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<WsClient> clients = new ArrayList<>();
  private DyingBackend backend;
  private TestNode node;

  private void start() throws Exception {
    backend = new DyingBackend();
    node =
        TestNode.builder()
            .registry(registry)
            .start(
                ports ->
                    """
                    listeners:
                      - {name: web, address: 127.0.0.1, port: %d}
                    upstreams:
                      - name: app
                        endpoints: [{address: "%s"}]
                    routes:
                      - name: chat
                        match: {path: {prefix: /}}
                        proxy: {upstream: app}
                    """
                        .formatted(ports.next(), backend.endpoint()));
    for (int i = 0; i < CLIENTS; i++) {
      WsClient c = WsClient.connect(node.wsUri("web", "/ws/" + i));
      clients.add(c);
      c.send(s -> s.sendText("in flight", true));
    }
    Await.until(WAIT, () -> backend.upgraded() == CLIENTS, () -> backend.upgraded() + " upgraded");
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(WsClient::close);
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void everyClientReads1014() throws Exception {
    for (WsClient c : clients) {
      assertEquals(1014, c.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    String counted =
        "wharf_websocket_closes_total{closed_by=\"upstream\",code=\"1014\",route=\"chat\"} "
            + CLIENTS
            + ".0";
    Await.until(WAIT, () -> registry.scrape().contains(counted), registry::scrape);
  }

  @Test
  void aBackendWhoseConnectionsAreResetGetsEveryClient1014() throws Exception {
    start();
    backend.resetAll();
    everyClientReads1014();
  }

  @Test
  void aBackendThatClosesItsConnectionsWithoutACloseFrameGetsEveryClient1014() throws Exception {
    start();
    backend.closeAll();
    everyClientReads1014();
  }
}
