package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.MetricsText;
import dev.wharf.testkit.RefusingPorts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator's Prometheus reads from a node's admin port, over a real socket: statuses under
 * their own code, body bytes per route and endpoint, WebSocket messages while the WebSocket is
 * still open, build info, the JVM's and the process's meters, and counters at zero before anything
 * happened. The node's registry is the one {@code wharf-data-plane} serves.
 */
@ExtendWith(NettyLeakExtension.class)
class MetricsScrapeTest {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Duration WAIT = Duration.ofSeconds(20);

  private TestBackend backend;
  private TestNode node;
  private NodeMeterRegistry registry;
  private String dead;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("app");
    dead = "127.0.0.1:" + refusing.port(); // held, never listening: connect refused
    registry = DataPlaneMain.registry();
    node =
        TestNode.builder()
            .registry(registry)
            .admin()
            .start(
                ports ->
                    """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
          - name: gone
            endpoints: [{address: "%s"}]
        routes:
          - name: down
            match: {path: {prefix: /down}}
            proxy: {upstream: gone}
          - name: app
            match: {path: {prefix: /}}
            proxy: {upstream: app}
        """
                        .formatted(ports.next(), backend.endpoint(), dead));
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (registry != null) {
      registry.close(); // after the node, as main does: its GC listener goes with it
    }
    if (backend != null) {
      backend.close();
    }
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = Http.get(node.adminUri("/metrics"));
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** Waits until the scrape has exactly {@code line}: a request is counted as it ends. */
  private void awaitLine(String line) {
    String[] last = {""};
    Await.until(
        WAIT,
        () -> {
          try {
            last[0] = scrape();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return last[0].lines().anyMatch(line::equals);
        },
        () -> "no line\n  " + line + "\nin\n" + family(last[0], line));
  }

  private static String family(String scrape, String line) {
    String name = line.split("[{ ]", 2)[0].replaceAll("_(total|count|sum|bucket)$", "");
    return String.join("\n", scrape.lines().filter(l -> l.startsWith(name)).toArray(String[]::new));
  }

  private static double value(String scrape, String series) {
    return MetricsText.parse(scrape).value(series);
  }

  @Test
  void countersAreThereAtZeroBeforeAnyEvent() throws Exception {
    String scrape = scrape();
    for (String line :
        List.of(
            "wharf_config_rejected_total{reason=\"invalid\"} 0.0",
            "wharf_config_rejected_total{reason=\"bind\"} 0.0",
            "wharf_config_rejected_total{reason=\"tls\"} 0.0",
            "wharf_connections_active{listener=\"web\"} 0.0",
            "wharf_upstream_errors_total{endpoint=\""
                + dead
                + "\",kind=\"connect_refused\","
                + "upstream=\"gone\"} 0.0",
            "wharf_upstream_request_body_bytes_total{endpoint=\""
                + backend.endpoint()
                + "\","
                + "upstream=\"app\"} 0.0",
            "wharf_drain_pending 0.0",
            "wharf_node_draining 0.0")) {
      assertTrue(scrape.lines().anyMatch(line::equals), () -> line + " missing in\n" + scrape);
    }
    assertTrue(scrape.contains("wharf_drain_closes_total{reason="), scrape);
  }

  @Test
  void buildInfoAndTheJvmAndProcessMetersAreExported() throws Exception {
    String scrape = scrape();
    String buildInfo =
        "wharf_build_info{commit=\"unknown\",java=\"" + Runtime.version() + "\",version=\"dev\"} 1";
    assertTrue(
        scrape.lines().anyMatch(buildInfo::equals), () -> buildInfo + " missing:\n" + scrape);
    assertTrue(value(scrape, "process_files_open_files") > 0, "open file descriptors");
    assertTrue(
        value(scrape, "process_files_max_files") >= value(scrape, "process_files_open_files"));
    assertTrue(value(scrape, "process_resident_memory_bytes") > 1024 * 1024, "RSS over 1 MiB");
    assertTrue(value(scrape, "jvm_threads_live_threads") > 0);
    assertTrue(value(scrape, "process_uptime_seconds") > 0);
    assertTrue(scrape.contains("jvm_memory_used_bytes{area=\"heap\""), scrape);
    assertTrue(scrape.contains("jvm_gc_memory_allocated_bytes_total"), scrape);
    assertTrue(scrape.contains("jvm_classes_loaded_classes"), scrape);
    assertTrue(scrape.contains("process_cpu_usage"), scrape);
  }

  @Test
  void aNotFoundAndABadGatewayAreCountedUnderTheirCodes() throws Exception {
    assertEquals(404, Http.status(node.uri("web", "/status/404")));
    assertEquals(502, Http.status(node.uri("web", "/down/x")));

    String web = "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",";
    awaitLine(web + "route=\"app\",status=\"404\",status_class=\"4xx\"} 1.0");
    awaitLine(web + "route=\"down\",status=\"502\",status_class=\"5xx\"} 1.0");
    awaitLine(
        "wharf_upstream_requests_total{endpoint=\""
            + backend.endpoint()
            + "\",status=\"404\",status_class=\"4xx\",upstream=\"app\"} 1.0");
    awaitLine(
        "wharf_upstream_errors_total{endpoint=\""
            + dead
            + "\",kind=\"connect_refused\",upstream=\"gone\"} 1.0");
  }

  @Test
  void bodyBytesAreCountedPerRouteAndEndpoint() throws Exception {
    byte[] body = new byte[12_345];
    Arrays.fill(body, (byte) 'x');
    HttpResponse<byte[]> echoed =
        Http.send(
            Http.request(node.uri("web", "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, echoed.statusCode());
    assertEquals(body.length, echoed.body().length);

    String route = "{listener=\"web\",protocol=\"http/1.1\",route=\"app\"}";
    awaitLine("wharf_request_body_bytes_total" + route + " 12345.0");
    awaitLine("wharf_response_body_bytes_total" + route + " 12345.0");
    String endpoint = "{endpoint=\"" + backend.endpoint() + "\",upstream=\"app\"}";
    awaitLine("wharf_upstream_request_body_bytes_total" + endpoint + " 12345.0");
    awaitLine("wharf_upstream_response_body_bytes_total" + endpoint + " 12345.0");
  }

  @Test
  void webSocketMessagesAreCountedWhileTheWebSocketIsOpen() throws Exception {
    try (WsClient client = WsClient.connect(node.wsUri("web", "/ws/room"))) {
      for (int i = 0; i < 3; i++) {
        String text = "message " + i;
        client.send(s -> s.sendText(text, true));
        assertEquals(text, client.nextMessage(WAIT));
      }
      awaitLine("wharf_websocket_messages_total{direction=\"from_client\",route=\"app\"} 3.0");
      awaitLine("wharf_websocket_messages_total{direction=\"from_upstream\",route=\"app\"} 3.0");
      awaitLine("wharf_websockets_active{route=\"app\"} 1.0");
    }
  }
}
