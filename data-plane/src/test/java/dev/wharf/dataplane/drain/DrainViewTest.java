package dev.wharf.dataplane.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.config.v1.Config;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which connections a config change or a health verdict affects, and under which policy. */
class DrainViewTest {
  private static final String BASE =
      """
      upstreams:
        - name: chat
          endpoints: [{address: "10.0.0.1:80"}, {address: "10.0.0.2:80"}]
          drain: {timeout: 5s, spread: 2s, max_closes_per_second: 20}
        - name: other
          endpoints: [{address: "10.0.0.9:80"}]
      routes:
        - name: ws
          match: {path: {prefix: /ws}}
          proxy: {upstream: chat}
        - name: pinned
          match: {path: {prefix: /pinned}}
          proxy: {upstream: chat, drain: {mode: keep}}
      """;

  private final Set<String> unhealthy = new HashSet<>();

  private DrainView view(String yaml) throws Exception {
    Config config = ConfigDocuments.load(yaml, "test.yaml");
    return CompiledViews.of(config, (upstream, address) -> !unhealthy.contains(address));
  }

  private static Placement on(String route, String endpoint) {
    return new Placement(route, "chat", endpoint, DrainSettings.DEFAULT);
  }

  @Test
  void aConnectionWhosePlaceIsUnchangedIsNotAffected() throws Exception {
    assertNull(view(BASE).reason(on("ws", "10.0.0.1:80")));
  }

  @Test
  void aRemovedEndpointAffectsOnlyItsConnections() throws Exception {
    DrainView v = view(BASE.replace("{address: \"10.0.0.1:80\"}, ", ""));
    assertEquals(DrainReason.ENDPOINT_REMOVED, v.reason(on("ws", "10.0.0.1:80")));
    assertNull(v.reason(on("ws", "10.0.0.2:80")));
  }

  @Test
  void aRemovedRouteAndARoutePointingElsewhereAreTold() throws Exception {
    DrainView v = view(BASE.replace("proxy: {upstream: chat}", "proxy: {upstream: other}"));
    assertEquals(DrainReason.ROUTE_CHANGED, v.reason(on("ws", "10.0.0.1:80")));
    assertEquals(DrainReason.ROUTE_REMOVED, v.reason(on("gone", "10.0.0.1:80")));
  }

  @Test
  void anUnhealthyEndpointAffectsItsConnectionsUnlessTheWholeUpstreamIsDown() throws Exception {
    DrainView v = view(BASE);
    unhealthy.add("10.0.0.1:80");
    assertEquals(DrainReason.ENDPOINT_UNHEALTHY, v.reason(on("ws", "10.0.0.1:80")));
    assertNull(v.reason(on("ws", "10.0.0.2:80")));
    unhealthy.add("10.0.0.2:80");
    assertNull(
        v.reason(on("ws", "10.0.0.1:80")),
        "panic: a reconnect would land on a failing endpoint too");
  }

  @Test
  void theRoutesOwnPolicyWinsThenTheUpstreamsThenTheOneItOpenedWith() throws Exception {
    DrainView v = view(BASE);
    assertEquals(
        new DrainSettings(false, Duration.ofSeconds(5), Duration.ofSeconds(2), 20),
        v.settings(on("ws", "10.0.0.1:80")));
    assertEquals(true, v.settings(on("pinned", "10.0.0.1:80")).keep());
    Placement fromAGoneUpstream =
        new Placement(
            "gone",
            "gone-upstream",
            "10.0.0.1:80",
            new DrainSettings(false, Duration.ZERO, Duration.ZERO, 7));
    assertEquals(7, v.settings(fromAGoneUpstream).maxClosesPerSecond());
    DrainView moved = view(BASE.replace("proxy: {upstream: chat}", "proxy: {upstream: other}"));
    assertEquals(
        20,
        moved.settings(on("ws", "10.0.0.1:80")).maxClosesPerSecond(),
        "a route moved elsewhere: its connections follow the policy of the upstream they are on");
  }

  @Test
  void aViewCanBeBuiltFromPlainFactsWithoutACompiledSnapshot() {
    DrainSettings pinned = new DrainSettings(true, Duration.ZERO, Duration.ZERO, 1);
    DrainView v =
        DrainView.builder()
            .route("ws", "chat", null)
            .route("pinned", "chat", pinned)
            .route("page", null, null)
            .upstream("chat", List.of("10.0.0.1:80"), DrainSettings.DEFAULT)
            .build((upstream, address) -> true);

    assertNull(v.reason(on("ws", "10.0.0.1:80")));
    assertEquals(DrainReason.ROUTE_CHANGED, v.reason(on("page", "10.0.0.1:80")));
    assertEquals(DrainSettings.DEFAULT, v.settings(on("ws", "10.0.0.1:80")));
    assertEquals(pinned, v.settings(on("pinned", "10.0.0.1:80")));
  }
}
