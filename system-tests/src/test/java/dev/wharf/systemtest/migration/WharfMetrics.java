package dev.wharf.systemtest.migration;

import dev.wharf.testkit.MetricsText;
import java.util.Map;

/** Reads a Wharf node's Prometheus metrics from its admin API, as a user's scraper would. */
final class WharfMetrics {
  /**
   * The labels of WebSocket handshakes over HTTP/2 on {@code route} in {@code
   * wharf_requests_total}: counted by what the client's stream got, {@code 200} (2xx), where an
   * HTTP/1.1 handshake counts its {@code 101}.
   */
  static Map<String, String> h2WebSockets(String route) {
    return Map.of("protocol", "h2", "status_class", "2xx", "route", route);
  }

  private WharfMetrics() {}

  /** The node's {@code /metrics} text. */
  static String scrape(int adminPort, Curl curl) {
    Curl.Response r = curl.run("http://127.0.0.1:" + adminPort + "/metrics");
    if (r.status() != 200) {
      throw new AssertionError("metrics: " + r.status() + " " + r.err());
    }
    return r.text();
  }

  /**
   * The sum of {@code wharf_requests_total} over the series whose labels have these values (e.g.
   * {@code protocol=h2}, {@code status_class=2xx}).
   */
  static double requests(int adminPort, Curl curl, Map<String, String> labels) {
    return MetricsText.parse(scrape(adminPort, curl)).sum("wharf_requests_total", labels);
  }
}
