package dev.wharf.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The snapshot-build tool on a real node, at sizes a test can afford. */
class FleetSnapshotBuildTest {
  @Test
  @Timeout(30)
  void everySizeIsAppliedTheRequestedNumberOfTimesAndLookedUp() throws Exception {
    SnapshotBuild.Settings settings =
        new SnapshotBuild.Settings(
            List.of(10, 500),
            5,
            1,
            2,
            256,
            16,
            3,
            Duration.ofMillis(100),
            Duration.ofMillis(20),
            1);

    List<SnapshotBuild.SizeResult> results =
        SnapshotBuild.run(
            settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertEquals(List.of(10, 500), results.stream().map(SnapshotBuild.SizeResult::routes).toList());
    for (SnapshotBuild.SizeResult r : results) {
      assertEquals(5, r.apply().count());
      assertEquals(5, r.validate().count());
      assertEquals(5, r.compile().count());
      assertTrue(r.apply().p50Millis() > 0 && r.apply().p50Millis() <= r.apply().maxMillis());
      assertTrue(r.lookup().medianNanos() > 0 && r.hotLookup().medianNanos() > 0);
      assertEquals(3, r.lookup().rounds());
    }
    assertEquals(8, results.get(1).hosts());
    String md = FleetMarkdown.snapshots(results, settings);
    assertTrue(md.contains("| 500 | 8 | 16 |"), md);
  }
}
