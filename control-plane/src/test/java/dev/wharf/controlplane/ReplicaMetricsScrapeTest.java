package dev.wharf.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.server.MetricsEndpoint;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.testkit.MetricsText;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's {@code /metrics} as Prometheus scrapes it over a real socket, with the registry
 * {@code wharf-control-plane} serves: build info, the JVM's and the process's meters with plausible
 * values, and the replica's counters at zero before any node connected.
 */
class ReplicaMetricsScrapeTest {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private ControlPlaneServer server;
  private MetricsEndpoint metrics;
  private PrometheusMeterRegistry registry;

  @AfterEach
  void stop() {
    if (metrics != null) {
      metrics.close();
    }
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close(); // after the replica, as main does: its GC listener goes with it
    }
  }

  private String scrape() throws Exception {
    registry = ControlPlaneMain.registry();
    FileConfigStore store = FileConfigStore.open(dir.resolve("store"), Clock.systemUTC());
    store.commit(
        0,
        ConfigDocuments.load(
            """
        listeners: [{name: web, address: 127.0.0.1, port: 8080}]
        routes: [{name: all, match: {path: {prefix: /}}, respond: {body: ok}}]
        """,
            "test.yaml"),
        "test",
        "first");
    server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-test")
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(registry)
            .shutdownGrace(Duration.ofSeconds(1))
            .start();
    metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metrics.address().getPort() + "/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private static double value(String scrape, String series) {
    return MetricsText.parse(scrape).value(series);
  }

  @Test
  void buildInfoJvmAndProcessMetersAndZeroCountersAreScraped() throws Exception {
    String scrape = scrape();

    String buildInfo =
        "wharf_build_info{commit=\"unknown\",java=\"" + Runtime.version() + "\",version=\"dev\"} 1";
    assertTrue(
        scrape.lines().anyMatch(buildInfo::equals), () -> buildInfo + " missing:\n" + scrape);
    assertTrue(value(scrape, "process_files_open_files") > 0, "open file descriptors");
    assertTrue(value(scrape, "process_resident_memory_bytes") > 1024 * 1024, "RSS over 1 MiB");
    assertTrue(value(scrape, "jvm_threads_live_threads") > 0);
    assertTrue(scrape.contains("jvm_memory_used_bytes{area=\"heap\""), scrape);
    assertTrue(scrape.contains("jvm_gc_memory_allocated_bytes_total"), scrape);
    for (String zero :
        List.of(
            "wharf_cp_pushes_total 0.0",
            "wharf_cp_acks_total 0.0",
            "wharf_cp_nacks_total 0.0",
            "wharf_cp_versions_rejected_total 0.0",
            "wharf_cp_streams_refused_node_id_total 0.0",
            "wharf_cp_connected_nodes 0.0")) {
      assertTrue(scrape.lines().anyMatch(zero::equals), () -> zero + " missing:\n" + scrape);
    }
  }
}
