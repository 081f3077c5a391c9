package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shared /metrics parser on the exact lines a Prometheus registry writes. */
class MetricsTextTest {
  private static final String SCRAPE =
      """
      # HELP wharf_requests_total Requests
      # TYPE wharf_requests_total counter
      wharf_requests_total{listener="web",protocol="h2",route="a",status_class="2xx"} 3.0
      wharf_requests_total{listener="web",protocol="h2",route="b",status_class="2xx"} 4.0
      wharf_requests_total{listener="web",protocol="http/1.1",route="a",status_class="2xx"} 5.0
      process_uptime_seconds 12.5
      wharf_odd{path="a\\"b,c=\\"d\\\\e\\n",x=""} 1.0 1700000000000
      wharf_latency_seconds_bucket{le="+Inf"} +Inf

      """;

  @Test
  void samplesAreReadWithTheirLabelsAndValues() {
    MetricsText m = MetricsText.parse(SCRAPE);

    assertEquals(6, m.samples().size());
    assertEquals(12.5, m.value("process_uptime_seconds"));
    assertEquals(7.0, m.sum("wharf_requests_total", Map.of("protocol", "h2")));
    assertEquals(8.0, m.sum("wharf_requests_total", Map.of("route", "a")));
    assertEquals(0.0, m.sum("wharf_requests_total", Map.of("route", "c")));
    assertEquals(4.0, m.find("wharf_requests_total", Map.of("route", "b")).orElseThrow());
    assertFalse(m.find("wharf_requests_total", Map.of("route", "c")).isPresent());
  }

  @Test
  void escapedLabelValuesAndTimestampsAreUnderstood() {
    MetricsText.Sample odd = MetricsText.parse(SCRAPE).samples("wharf_odd").get(0);

    assertEquals(Map.of("path", "a\"b,c=\"d\\e\n", "x", ""), odd.labels());
    assertEquals(1.0, odd.value());
    assertEquals(
        Double.POSITIVE_INFINITY, MetricsText.parse(SCRAPE).value("wharf_latency_seconds_bucket"));
  }

  @Test
  void labelNamesPerMetricAndExactLines() {
    MetricsText m = MetricsText.parse(SCRAPE);

    assertEquals(
        Set.of("listener", "protocol", "route", "status_class"),
        m.labelNames().get("wharf_requests_total"));
    assertEquals(Set.of(), m.labelNames().get("process_uptime_seconds"));
    assertTrue(m.hasLine("process_uptime_seconds 12.5"));
    assertFalse(m.hasLine("process_uptime_seconds 12"));
  }

  @Test
  void aSeriesWrittenAsInTheExpositionMatchesOnlyItsExactLabels() {
    MetricsText m = MetricsText.parse(SCRAPE);

    assertEquals(12.5, m.find("process_uptime_seconds").orElseThrow());
    assertEquals(
        4.0,
        m.find(
                "wharf_requests_total{listener=\"web\",protocol=\"h2\",route=\"b\","
                    + "status_class=\"2xx\"}")
            .orElseThrow());
    assertFalse(m.find("wharf_requests_total{route=\"b\"}").isPresent());
  }

  @Test
  void aMissingMetricFailsWithTheScrape() {
    AssertionError e =
        assertThrows(AssertionError.class, () -> MetricsText.parse(SCRAPE).value("nope"));
    assertTrue(e.getMessage().contains("process_uptime_seconds 12.5"), e.getMessage());
  }
}
