package dev.wharf.dataplane.health;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.server.DataPlaneNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A node on one listener at {@code port}, with a registry the tests read health from. */
final class HealthTestNode implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final DataPlaneNode node;
  final int port;

  HealthTestNode(int port, Ticker ticker) {
    this.port = port;
    this.node = DataPlaneNode.builder().workers(2).ticker(ticker)
        .metrics(new ProxyMetrics(registry)).build();
  }

  void apply(String yaml) throws Exception {
    node.apply(ConfigDocuments.load(yaml, "test"));
  }

  HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Which backend answered a GET of {@code path} ({@code x-backend}), or "status NNN". */
  String backendOf(String path) throws Exception {
    HttpResponse<String> r = get(path);
    return r.headers().firstValue("x-backend").orElse("status " + r.statusCode());
  }

  /** The {@code wharf.endpoint.healthy} gauge: 1, 0, or -1 when absent. */
  double healthy(String upstream, String endpoint) {
    Gauge g = registry.find("wharf.endpoint.healthy").tags("upstream", upstream,
        "endpoint", endpoint).gauge();
    return g == null ? -1 : g.value();
  }

  double checks(String upstream, String result) {
    Counter c = registry.find("wharf.health.checks").tags("upstream", upstream, "result", result)
        .counter();
    return c == null ? 0 : c.count();
  }

  double ejections(String upstream) {
    return registry.find("wharf.endpoint.ejections").tags("upstream", upstream).counters()
        .stream().mapToDouble(Counter::count).sum();
  }

  /** Connects {@code endpoint} refused, as {@code wharf.upstream.errors} counts them. */
  double refusals(String upstream, String endpoint) {
    Counter c = registry.find("wharf.upstream.errors").tags("upstream", upstream,
        "endpoint", endpoint, "kind", "connect_refused").counter();
    return c == null ? 0 : c.count();
  }

  double panic(String upstream) {
    Gauge g = registry.find("wharf.upstream.panic").tags("upstream", upstream).gauge();
    return g == null ? 0 : g.value();
  }

  @Override
  public void close() {
    node.close();
  }
}
