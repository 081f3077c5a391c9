package dev.wharf.dataplane.health;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.Ticker;
import java.net.URI;
import java.net.http.HttpResponse;

/**
 * A node on one listener at {@code port}, with a registry the tests read health from. The node
 * starts bound (a local route on listener {@code web}, on a port chosen through {@link
 * TestNode#start}'s retry), so the tests' configs name a port the node already holds.
 */
final class HealthTestNode implements AutoCloseable {
  final TestNode node;
  final MeterRegistry registry;
  final int port;

  HealthTestNode(Ticker ticker) throws Exception {
    this.node =
        TestNode.builder()
            .workers(2)
            .ticker(ticker)
            .start(
                ports ->
                    """
                    listeners: [{name: web, address: 127.0.0.1, port: %d}]
                    routes: [{name: all, match: {path: {prefix: /}}, respond: {status: 204}}]
                    """
                        .formatted(ports.next()));
    this.port = node.address("web").getPort();
    this.registry = node.registry();
  }

  void apply(String yaml) throws Exception {
    node.apply(yaml);
  }

  HttpResponse<String> get(String path) throws Exception {
    return Http.get(URI.create("http://127.0.0.1:" + port + path));
  }

  /** Which backend answered a GET of {@code path} ({@code x-backend}), or "status NNN". */
  String backendOf(String path) throws Exception {
    HttpResponse<String> r = get(path);
    return r.headers().firstValue("x-backend").orElse("status " + r.statusCode());
  }

  /** The {@code wharf.endpoint.healthy} gauge: 1, 0, or -1 when absent. */
  double healthy(String upstream, String endpoint) {
    Gauge g =
        registry
            .find("wharf.endpoint.healthy")
            .tags("upstream", upstream, "endpoint", endpoint)
            .gauge();
    return g == null ? -1 : g.value();
  }

  double checks(String upstream, String result) {
    Counter c =
        registry.find("wharf.health.checks").tags("upstream", upstream, "result", result).counter();
    return c == null ? 0 : c.count();
  }

  double ejections(String upstream) {
    return registry.find("wharf.endpoint.ejections").tags("upstream", upstream).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** Connects {@code endpoint} refused, as {@code wharf.upstream.errors} counts them. */
  double refusals(String upstream, String endpoint) {
    Counter c =
        registry
            .find("wharf.upstream.errors")
            .tags("upstream", upstream, "endpoint", endpoint, "kind", "connect_refused")
            .counter();
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
