package dev.wharf.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
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
    // Warm-up: one change (and version) per size. Each size: one switching apply, then 5 timed
    // ones; validation and compilation alone take 5 more changes but no version.
    assertServed(results.get(0), 8, 8);
    assertServed(results.get(1), 14, 19);
    assertEquals(2, results.get(0).regexRoutes(), "2 regex routes on the one host");
    assertEquals(16, results.get(1).regexRoutes(), "2 regex routes on each of 8 hosts");
    String md = FleetMarkdown.snapshots(results, settings);
    assertTrue(md.contains("| 500 | 8 | 16 |"), md);
  }

  /**
   * The node served exactly the generated config of this size with the last timed change, at the
   * version of the last timed apply: the timings are of applies that happened, of that config.
   */
  private static void assertServed(SnapshotBuild.SizeResult r, long version, int lastChange) {
    assertEquals(version, r.servedVersion(), "the node served the last timed apply's version");
    Config served = r.served();
    int port = served.getListeners(0).getPort();
    assertEquals(
        FleetConfigs.changed(FleetConfigs.generate(r.routes(), port, 2), lastChange),
        served,
        "the node served the generated config with the last timed change");
    assertEquals(r.routes(), served.getRoutesCount());
    assertEquals(
        List.of("accounts", "catalog", "orders", "search"),
        served.getUpstreamsList().stream().map(Upstream::getName).toList());
    assertEquals(
        List.of("10.0.0.10:8080", "10.0.0.11:8080", "10.0.0.12:8080"),
        served.getUpstreams(0).getEndpointsList().stream().map(Endpoint::getAddress).toList());
    assertEquals(
        r.hosts(),
        served.getRoutesList().stream()
            .flatMap(route -> route.getMatch().getHostsList().stream())
            .distinct()
            .count());
    Route changed = served.getRoutes(lastChange % r.routes());
    assertEquals(
        Integer.toString(lastChange),
        changed.getResponseHeaders().getSetList().stream()
            .filter(h -> h.getName().equals(FleetConfigs.CHANGE_HEADER))
            .findFirst()
            .orElseThrow()
            .getValue());
  }
}
