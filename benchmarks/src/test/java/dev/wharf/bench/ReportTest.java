package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
  /** A measurement line as run.sh writes it. */
  private static String line(
      int round, String scenario, String proxy, String value, String p99, int errors, String cpu) {
    return String.join(
        "\t",
        Integer.toString(round),
        "1",
        scenario,
        proxy,
        value,
        p99,
        Integer.toString(errors),
        "1000",
        cpu,
        "0.95",
        "0.30",
        "0.90",
        "0.05",
        "1.20",
        "warm-up: 2 x 3 s");
  }

  @Test
  void theSummaryShowsMediansAndWharfAgainstNginxAndHaproxy() {
    Report report =
        Report.parse(
            List.of(
                "# " + String.join("\t", Measurement.COLUMNS),
                line(1, "http-small", "nginx", "1000", "2.0", 0, "20.0"),
                line(2, "http-small", "nginx", "3000", "4.0", 0, "20.0"),
                line(3, "http-small", "nginx", "2000", "3.0", 0, "20.0"),
                line(1, "http-small", "haproxy", "4000", "1.0", 0, "10.0"),
                line(1, "http-small", "wharf", "2500", "3.0", 0, "30.0"),
                line(2, "http-small", "wharf", "2000", "3.0", 0, "30.0"),
                line(3, "http-small", "wharf", "3000", "3.0", 0, "30.0"),
                line(1, "ws-idle", "nginx", "20", "-", 0, "-"),
                line(2, "ws-idle", "nginx", "10", "-", 0, "-"),
                line(1, "ws-idle", "wharf", "4", "-", 0, "-"),
                line(2, "ws-idle", "wharf", "6", "-", 0, "-")));
    assertEquals(2000, report.median("http-small", "nginx", Measurement::value).getAsDouble());
    assertEquals(List.of("nginx", "haproxy", "wharf"), report.proxies());

    String md = report.render("cpus: 2");
    assertTrue(
        md.contains(
            "| figure | better | nginx | haproxy | wharf | wharf / nginx | wharf / haproxy |"),
        md);
    assertTrue(
        md.contains(
            "| HTTP small (6-byte body), req/s | higher | 2000 | 4000 | 2500 | 1.25 | 0.63 |"),
        md);
    assertTrue(
        md.contains(
            "| HTTP small (6-byte body): proxy CPU per request, µs | lower | 20.0 | 10.0 | 30.0"
                + " | 1.50 | 3.00 |"),
        md);
    assertTrue(
        md.contains(
            "| Idle WebSocket memory (RSS growth), KiB/conn | lower | 15.00 | - | 5.00 | 0.33 | - |"),
        md);
    assertTrue(md.contains("| 1 | 1 | http-small | wharf | 2500 | 3.0 | 0 | 30.0 |"), md);
    assertTrue(md.contains("cpus: 2"), md);
  }

  @Test
  void aProxyWithErrorsGetsNoRatioAndItsErrorsAreShown() {
    Report report =
        Report.parse(
            List.of(
                "note\twharf: the generated config was refused",
                "info\trounds\t1",
                line(1, "ws-echo", "nginx", "19000", "2.0", 0, "15.0"),
                line(1, "ws-echo", "wharf", "25000", "1.0", 3, "10.0"),
                line(1, "ws-cycles", "nginx", "3000", "20.0", 0, "300.0"),
                line(1, "ws-cycles", "wharf", "-", "-", 0, "-")));
    String md = report.render("");
    assertTrue(
        md.contains(
            "| WebSocket echo (64-byte messages), msg/s | higher | 19000 | 25000 | n/a: errors |"),
        md);
    assertTrue(
        md.contains(
            "| WebSocket echo (64-byte messages): errors and failed runs, all rounds | lower | 0 | 3 |"),
        md);
    assertTrue(md.contains("all rounds | lower | 0 | 0 (1 failed) |"), md);
    assertTrue(md.contains("- wharf: the generated config was refused"), md);
    assertTrue(md.contains("- rounds: 1"), md);
  }

  @Test
  void twoWharfBuildsAreAlsoComparedWithTheFirst() {
    Report report =
        Report.parse(
            List.of(
                line(1, "http-1k", "nginx", "1000", "2.0", 0, "20.0"),
                line(1, "http-1k", "base", "800", "2.0", 0, "25.0"),
                line(1, "http-1k", "new", "1200", "2.0", 0, "18.0")));
    assertEquals(List.of("base", "new"), report.wharfs());
    String md = report.render("");
    assertTrue(
        md.contains("| HTTP 1 KiB body, req/s | higher | 1000 | 800 | 1200 | 0.80 | 1.20 | 1.50 |"),
        md);
  }

  @Test
  void aMalformedLineIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> Report.parse(List.of("1\tnginx\thttp_rps\t3")));
    assertThrows(
        IllegalArgumentException.class,
        () -> Report.parse(List.of(line(1, "http-1k", "nginx", "fast", "2.0", 0, "20.0"))));
  }
}
