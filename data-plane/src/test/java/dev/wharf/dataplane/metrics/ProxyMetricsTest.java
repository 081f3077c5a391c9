package dev.wharf.dataplane.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes after the proxy reports events: exact series and values. */
class ProxyMetricsTest {
  private static final long MS = 1_000_000L;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ProxyMetrics metrics = new ProxyMetrics(registry);

  /** Fails unless the scrape has exactly this line, showing the series of the same name. */
  private void assertSeries(String expectedLine) {
    String scrape = registry.scrape();
    if (scrape.lines().noneMatch(expectedLine::equals)) {
      String name = expectedLine.split("[{ ]", 2)[0];
      String family = name.replaceAll("_(total|count|sum|bucket|max)$", "");
      fail(
          "no line\n  "
              + expectedLine
              + "\nin the scrape's "
              + family
              + " series:\n"
              + scrape.lines().filter(l -> l.startsWith(family)).collect(Collectors.joining("\n")));
    }
  }

  private void assertNoSeriesContaining(String fragment) {
    assertFalse(
        registry.scrape().contains(fragment),
        () -> "unexpected " + fragment + " in\n" + registry.scrape());
  }

  @Test
  void requestsAreCountedByListenerRouteAndStatusClass() {
    metrics.requestCompleted("web", "http/1.1", "api", 200, 3 * MS);
    metrics.requestCompleted("web", "http/1.1", "api", 204, 3 * MS);
    metrics.requestCompleted("web", "http/1.1", "api", 503, 3 * MS);
    metrics.requestCompleted("web", "http/1.1", "api", 0, 3 * MS);
    metrics.requestCompleted("web", "http/1.1", "ws", 101, 3 * MS);
    metrics.requestCompleted("admin", "http/1.1", "api", 404, 3 * MS);

    String api = "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"api\",";
    assertSeries(api + "status=\"200\",status_class=\"2xx\"} 1.0");
    assertSeries(api + "status=\"204\",status_class=\"2xx\"} 1.0");
    assertSeries(api + "status=\"503\",status_class=\"5xx\"} 1.0");
    assertSeries(api + "status=\"none\",status_class=\"none\"} 1.0");
    assertSeries(
        "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"ws\","
            + "status=\"101\",status_class=\"1xx\"} 1.0");
    assertSeries(
        "wharf_requests_total{listener=\"admin\",protocol=\"http/1.1\",route=\"api\","
            + "status=\"404\",status_class=\"4xx\"} 1.0");
    assertNoSeriesContaining("status_class=\"3xx\"");
  }

  @Test
  void statusesOutsideTheKnownSetShareOneSeriesPerClassSoABackendCannotAddSeries() {
    for (int status = 100; status <= 999; status++) {
      metrics.requestCompleted("web", "http/1.1", "api", status, MS);
    }
    metrics.requestCompleted("web", "http/1.1", "api", 7, MS);
    metrics.requestCompleted("web", "http/1.1", "api", -1, MS);

    String api = "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"api\",";
    assertSeries(api + "status=\"404\",status_class=\"4xx\"} 1.0");
    // 100 statuses per class, minus those counted under their own value
    long known4xx = Arrays.stream(StatusCounters.KNOWN).filter(c -> c / 100 == 4).count();
    assertSeries(api + "status=\"other\",status_class=\"4xx\"} " + (100.0 - known4xx));
    assertSeries(api + "status=\"other\",status_class=\"other\"} 402.0");
    assertNoSeriesContaining("status=\"418\"");
    assertNoSeriesContaining("status=\"600\"");
    long series =
        registry.scrape().lines().filter(l -> l.startsWith("wharf_requests_total{")).count();
    assertEquals(
        StatusCounters.KNOWN.length + 6, series, "known statuses, 5 others, 1 other class");
  }

  @Test
  void bodyBytesAreCountedPerRouteAndPerUpstreamEndpoint() {
    metrics.requestCompleted("web", "http/1.1", "api", 200, MS, 1_000, 20_000);
    metrics.requestCompleted("web", "http/1.1", "api", 200, MS, 0, 5);
    metrics.upstreamRequest("users", "10.0.0.1:8080", 200, MS, 1_000, 40_000);

    String route = "{listener=\"web\",protocol=\"http/1.1\",route=\"api\"}";
    assertSeries("wharf_request_body_bytes_total" + route + " 1000.0");
    assertSeries("wharf_response_body_bytes_total" + route + " 20005.0");
    String endpoint = "{endpoint=\"10.0.0.1:8080\",upstream=\"users\"}";
    assertSeries("wharf_upstream_request_body_bytes_total" + endpoint + " 1000.0");
    assertSeries("wharf_upstream_response_body_bytes_total" + endpoint + " 40000.0");
  }

  @Test
  void requestLatencyIsAHistogramPerListenerAndRoute() {
    metrics.requestCompleted("web", "http/1.1", "api", 200, 3 * MS);
    metrics.requestCompleted("web", "http/1.1", "api", 500, 40 * MS);
    metrics.requestCompleted("web", "http/1.1", "api", 200, 2_000 * MS);

    String bucket =
        "wharf_request_duration_seconds_bucket{listener=\"web\",protocol=\"http/1.1\",route=\"api\",le=";
    assertSeries(bucket + "\"0.001\"} 0");
    assertSeries(bucket + "\"0.005\"} 1");
    assertSeries(bucket + "\"0.05\"} 2");
    assertSeries(bucket + "\"2.5\"} 3");
    assertSeries(bucket + "\"+Inf\"} 3");
    assertSeries(
        "wharf_request_duration_seconds_count{listener=\"web\",protocol=\"http/1.1\",route=\"api\"} 3");
    assertSeries(
        "wharf_request_duration_seconds_sum{listener=\"web\",protocol=\"http/1.1\",route=\"api\"} 2.043");
  }

  @Test
  void upstreamResponsesAreCountedPerEndpointAndTimedPerUpstream() {
    metrics.upstreamRequest("users", "10.0.0.1:8080", 200, 10 * MS);
    metrics.upstreamRequest("users", "10.0.0.2:8080", 200, 20 * MS);
    metrics.upstreamRequest("users", "10.0.0.2:8080", 502, 30 * MS);

    assertSeries(
        "wharf_upstream_requests_total{endpoint=\"10.0.0.1:8080\",status=\"200\",status_class=\"2xx\","
            + "upstream=\"users\"} 1.0");
    assertSeries(
        "wharf_upstream_requests_total{endpoint=\"10.0.0.2:8080\",status=\"502\",status_class=\"5xx\","
            + "upstream=\"users\"} 1.0");
    assertSeries("wharf_upstream_request_duration_seconds_count{upstream=\"users\"} 3");
    assertSeries("wharf_upstream_request_duration_seconds_sum{upstream=\"users\"} 0.06");
  }

  @Test
  void upstreamErrorsAreCountedByKind() {
    metrics.upstreamError("users", "10.0.0.1:8080", UpstreamErrorKind.CONNECT_REFUSED);
    metrics.upstreamError("users", "10.0.0.1:8080", UpstreamErrorKind.CONNECT_REFUSED);
    metrics.upstreamError("users", "10.0.0.1:8080", UpstreamErrorKind.READ_TIMEOUT);
    metrics.upstreamError("users", null, UpstreamErrorKind.NO_ENDPOINT);

    assertSeries(
        "wharf_upstream_errors_total{endpoint=\"10.0.0.1:8080\",kind=\"connect_refused\","
            + "upstream=\"users\"} 2.0");
    assertSeries(
        "wharf_upstream_errors_total{endpoint=\"10.0.0.1:8080\",kind=\"read_timeout\","
            + "upstream=\"users\"} 1.0");
    assertSeries(
        "wharf_upstream_errors_total{endpoint=\"none\",kind=\"no_endpoint\","
            + "upstream=\"users\"} 1.0");
  }

  @Test
  void activeWebSocketsGoUpAndDownWhileTotalsOnlyGrow() {
    metrics.webSocketOpened("chat");
    metrics.webSocketOpened("chat");
    metrics.webSocketOpened("feed");
    assertSeries("wharf_websockets_active{route=\"chat\"} 2.0");
    assertSeries("wharf_websockets_active{route=\"feed\"} 1.0");

    WebSocketMessageCounters chat = metrics.webSocketMessages("chat");
    chat.fromClient().increment(6);
    chat.fromUpstream().increment(7);
    metrics.webSocketClosed("chat", 1000, "client", 90_000 * MS);
    metrics.webSocketClosed("chat", 1006, "upstream", 2_000 * MS);

    assertSeries("wharf_websockets_active{route=\"chat\"} 0.0");
    assertSeries("wharf_websockets_active{route=\"feed\"} 1.0");
    assertSeries("wharf_websockets_total{route=\"chat\"} 2.0");
    assertSeries(
        "wharf_websocket_closes_total{closed_by=\"client\",code=\"1000\"," + "route=\"chat\"} 1.0");
    assertSeries(
        "wharf_websocket_closes_total{closed_by=\"upstream\",code=\"1006\","
            + "route=\"chat\"} 1.0");
    assertSeries("wharf_websocket_duration_seconds_count{route=\"chat\"} 2");
    assertSeries("wharf_websocket_duration_seconds_sum{route=\"chat\"} 92.0");
    assertSeries("wharf_websocket_duration_seconds_bucket{route=\"chat\",le=\"10.0\"} 1");
    assertSeries("wharf_websocket_duration_seconds_bucket{route=\"chat\",le=\"300.0\"} 2");
    assertSeries("wharf_websocket_messages_total{direction=\"from_client\",route=\"chat\"} 6.0");
    assertSeries("wharf_websocket_messages_total{direction=\"from_upstream\",route=\"chat\"} 7.0");
  }

  @Test
  void configVersionApplyTimeAndRejectionsAreReported() {
    assertSeries("wharf_config_version 0.0");
    assertSeries("wharf_config_rejected_total{reason=\"invalid\"} 0.0");
    assertSeries("wharf_config_rejected_total{reason=\"bind\"} 0.0");
    assertSeries("wharf_config_rejected_total{reason=\"tls\"} 0.0");

    metrics.configApplied(41, 12 * MS);
    metrics.configApplied(42, 30 * MS);
    metrics.configRejected("invalid");
    metrics.configRejected("invalid");
    metrics.configRejected("bind");

    assertSeries("wharf_config_version 42.0");
    assertSeries("wharf_config_apply_seconds_count 2");
    assertSeries("wharf_config_apply_seconds_bucket{le=\"0.025\"} 1");
    assertSeries("wharf_config_apply_seconds_bucket{le=\"0.05\"} 2");
    assertSeries("wharf_config_rejected_total{reason=\"invalid\"} 2.0");
    assertSeries("wharf_config_rejected_total{reason=\"bind\"} 1.0");
  }

  @Test
  void connectionsAreTrackedPerListener() {
    metrics.connectionOpened("web");
    metrics.connectionOpened("web");
    metrics.connectionOpened("api");
    metrics.connectionClosed("web", 500 * MS);

    assertSeries("wharf_connections_active{listener=\"web\"} 1.0");
    assertSeries("wharf_connections_active{listener=\"api\"} 1.0");
    assertSeries("wharf_connection_duration_seconds_count{listener=\"web\"} 1");
    assertSeries("wharf_connection_duration_seconds_bucket{listener=\"web\",le=\"1.0\"} 1");
  }

  @Test
  void concurrentEventLoopsLoseNoCounts() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    metrics.webSocketOpened("chat");
                    metrics.requestCompleted("web", "http/1.1", "route-" + (i % 3), 200, MS);
                    metrics.webSocketClosed("chat", 1000, "client", MS);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long total = threads * (long) perThread;
    assertSeries("wharf_websockets_active{route=\"chat\"} 0.0");
    assertSeries("wharf_websockets_total{route=\"chat\"} " + (double) total);
    double perRoute =
        registry.get("wharf.requests").tag("status_class", "2xx").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    assertEquals(total, perRoute);
  }
}
