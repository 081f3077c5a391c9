package dev.wharf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static List<String> lines(String... rows) {
    return List.of(rows);
  }

  @Test
  void theSummaryShowsMediansAndTheWharfToNginxRatio() {
    Report report =
        Report.parse(
            lines(
                "1\tnginx\thttp_rps\t1000",
                "2\tnginx\thttp_rps\t3000",
                "3\tnginx\thttp_rps\t2000",
                "1\twharf\thttp_rps\t2500",
                "2\twharf\thttp_rps\t2000",
                "3\twharf\thttp_rps\t3000",
                "1\tnginx\tidle_kib\t20",
                "2\tnginx\tidle_kib\t10",
                "1\twharf\tidle_kib\t4",
                "2\twharf\tidle_kib\t6"));
    assertEquals(2000, report.median("nginx", "http_rps").getAsDouble());
    assertEquals(15, report.median("nginx", "idle_kib").getAsDouble());

    String md = report.render("cpus: 2");
    assertTrue(
        md.contains("| HTTP requests/s (nginx as in the seeds) | higher | 2000 | 2500 | 1.25 |"),
        md);
    assertTrue(
        md.contains("| Idle WebSocket memory per connection, KiB | lower | 15.0 | 5.0 | 0.33 |"),
        md);
    assertTrue(md.contains("cpus: 2"), md);
  }

  @Test
  void aWharfThatWasNotMeasuredShowsNotAvailableAndTheNote() {
    Report report =
        Report.parse(
            lines(
                "note\twharf: proxy not available in this build",
                "info\trounds\t1",
                "1\tnginx\tws_mps\t19000",
                "1\tnginx\tws_errors\t0"));
    String md = report.render("");
    assertTrue(md.contains("| WebSocket echo messages/s | higher | 19000 | n/a | n/a |"), md);
    assertTrue(md.contains("- wharf: proxy not available in this build"), md);
    assertTrue(md.contains("- rounds: 1"), md);
    assertTrue(md.contains("| 1 | wharf | - |"), md);
  }

  @Test
  void aMalformedLineIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Report.parse(lines("1\tnginx\thttp_rps")));
  }
}
