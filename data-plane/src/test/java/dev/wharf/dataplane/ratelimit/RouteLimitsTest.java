package dev.wharf.dataplane.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http.TemplateRenderer.VariableSource;
import dev.wharf.proto.config.v1.ConnectionLimit;
import dev.wharf.proto.config.v1.RateLimitZone;
import dev.wharf.proto.config.v1.RequestLimit;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Size;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nginx's limit_req and limit_conn, scripted at given milliseconds (time is passed in, nothing
 * sleeps). Each verdict is what nginx's leaky bucket gives for the same sequence: 0 passes, a
 * positive number is the delay in ms, a negative one the refusal status.
 */
class RouteLimitsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RateLimitZones zones = new RateLimitZones(registry);

  private static RateLimitZone zone(String name, String key, String rate) {
    return RateLimitZone.newBuilder().setName(name).setKey(key).setRate(rate).build();
  }

  private RouteLimits limits(List<RateLimitZone> zs, RequestLimit... limits) {
    RateLimitZones.Compiled compiled = zones.update(zs);
    return RouteLimits.compile(
        Route.newBuilder().addAllLimitReq(List.of(limits)).build(), compiled);
  }

  private static VariableSource client(String addr) {
    return name -> name.equals("binary_remote_addr") ? addr : "";
  }

  private static List<Long> run(RouteLimits limits, VariableSource who, long... millis) {
    List<Long> verdicts = new ArrayList<>();
    for (long ms : millis) {
      verdicts.add(limits.requestVerdict(who, ms));
    }
    return verdicts;
  }

  private static final RateLimitZone ONE_PER_SECOND = zone("one", "$binary_remote_addr", "1r/s");

  @Test
  void burstRequestsAreDelayedByTheirExcessAndTheRestRefusedAsNginxDoes() {
    RouteLimits l =
        limits(
            List.of(ONE_PER_SECOND),
            RequestLimit.newBuilder().setZone("one").setBurst(2).setStatus(503).build());
    assertEquals(
        List.of(0L, 1000L, 2000L, -503L, -503L, 2000L, -503L),
        run(l, client("10.0.0.1"), 0, 0, 0, 0, 500, 1000, 1000));
    assertEquals(3.0, count("wharf.rate_limit.requests", "one", "delayed"));
    assertEquals(3.0, count("wharf.rate_limit.requests", "one", "rejected"));
  }

  @Test
  void nodelayPassesTheBurstAtOnceAndBurstZeroPassesOnePerPeriod() {
    RouteLimits nodelay =
        limits(
            List.of(ONE_PER_SECOND),
            RequestLimit.newBuilder().setZone("one").setBurst(2).setNodelay(true).build());
    assertEquals(List.of(0L, 0L, 0L, -429L), run(nodelay, client("a"), 0, 0, 0, 1));
    RouteLimits strict =
        limits(List.of(ONE_PER_SECOND), RequestLimit.newBuilder().setZone("one").build());
    assertEquals(
        List.of(0L, -429L, -429L, 0L, -429L, 0L),
        run(strict, client("b"), 0, 1, 999, 1000, 1999, 2000));
  }

  @Test
  void delayPassesThatManyOfTheBurstAtOnceThenDelaysTheRest() {
    RouteLimits l =
        limits(
            List.of(zone("two", "$binary_remote_addr", "2r/s")),
            RequestLimit.newBuilder().setZone("two").setBurst(3).setDelay(1).build());
    assertEquals(List.of(0L, 0L, 500L, 1000L, -429L), run(l, client("a"), 0, 0, 0, 0, 0));
  }

  @Test
  void aPerMinuteRateDrainsInNginxsIntegerSteps() {
    RouteLimits l =
        limits(
            List.of(zone("m", "$binary_remote_addr", "60r/m")),
            RequestLimit.newBuilder().setZone("m").build());
    // 60r/m is 1000 thousandths per second: one request a second, no burst.
    assertEquals(List.of(0L, -429L, 0L), run(l, client("a"), 0, 999, 1000));
  }

  @Test
  void anotherKeyIsUnaffectedAndAnEmptyKeyIsNotLimited() {
    RouteLimits l =
        limits(List.of(ONE_PER_SECOND), RequestLimit.newBuilder().setZone("one").build());
    assertEquals(List.of(0L, -429L), run(l, client("a"), 0, 0));
    assertEquals(List.of(0L), run(l, client("b"), 0));
    assertEquals(List.of(0L, 0L, 0L), run(l, client(""), 0, 0, 0));
  }

  @Test
  void aRefusalByOneZoneCountsTheRequestInNone() {
    RateLimitZone wide = zone("wide", "$binary_remote_addr", "1r/s");
    RateLimitZone narrow = zone("narrow", "$http_x_api_key", "1r/s");
    RouteLimits l =
        limits(
            List.of(wide, narrow),
            RequestLimit.newBuilder().setZone("wide").setBurst(5).setNodelay(true).build(),
            RequestLimit.newBuilder().setZone("narrow").build());
    VariableSource keyed = name -> name.equals("http_x_api_key") ? "k" : "1.1.1.1";
    assertEquals(List.of(0L, -429L, -429L), run(l, keyed, 0, 0, 0));
    // "wide" counted one request only: five more of its burst remain for another API key.
    VariableSource other = name -> name.equals("http_x_api_key") ? "k2" : "1.1.1.1";
    assertEquals(List.of(0L), run(l, other, 0));
  }

  @Test
  void theStateSurvivesASwapThatKeepsTheZoneAndNotOneThatChangesIt() {
    RequestLimit ref = RequestLimit.newBuilder().setZone("one").build();
    RouteLimits first = limits(List.of(ONE_PER_SECOND), ref);
    assertEquals(List.of(0L), run(first, client("a"), 0));
    RouteLimits same = limits(List.of(ONE_PER_SECOND), ref);
    assertEquals(List.of(-429L), run(same, client("a"), 1));
    RouteLimits faster = limits(List.of(zone("one", "$binary_remote_addr", "2r/s")), ref);
    assertEquals(List.of(0L), run(faster, client("a"), 2));
  }

  @Test
  void aMillionDistinctKeysStayWithinTheZoneEvictingTheLeastRecentlyUsed() {
    RateLimitZone small =
        ONE_PER_SECOND.toBuilder().setSize(Size.newBuilder().setBytes(64 * 1024)).build();
    RouteLimits l = limits(List.of(small), RequestLimit.newBuilder().setZone("one").build());
    RequestZone zone = zones.update(List.of(small)).requests().get("one");
    for (int i = 0; i < 1_000_000; i++) {
      assertEquals(0L, l.requestVerdict(client("k" + i), 0));
    }
    int held = zone.size();
    assertTrue(held > 0 && held * 64L <= 64 * 1024, "held " + held);
    assertEquals(1_000_000.0 - held, registry.get("wharf.rate_limit.evictions").counter().count());
    // The most recent key is still limited; the oldest was forgotten and starts again.
    assertEquals(-429L, l.requestVerdict(client("k999999"), 0));
    assertEquals(0L, l.requestVerdict(client("k0"), 0));
  }

  @Test
  void aKeyLongerThanNginxTakesIsNotLimitedAndDoesNotFillTheZone() {
    RouteLimits l =
        limits(List.of(ONE_PER_SECOND), RequestLimit.newBuilder().setZone("one").build());
    String huge = "x".repeat(64 * 1024);
    assertEquals(List.of(0L, 0L, 0L), run(l, client(huge), 0, 0, 0));
    assertEquals(0, zones.update(List.of(ONE_PER_SECOND)).requests().get("one").size());
  }

  @Test
  void connectionLimitsCountRequestsInProgressPerKey() {
    RateLimitZone conns =
        RateLimitZone.newBuilder()
            .setName("c")
            .setKind(RateLimitZone.Kind.CONNECTIONS)
            .setKey("$binary_remote_addr")
            .build();
    RouteLimits l =
        RouteLimits.compile(
            Route.newBuilder()
                .addLimitConn(ConnectionLimit.newBuilder().setZone("c").setMax(2).setStatus(503))
                .build(),
            zones.update(List.of(conns)));
    ConnectionLeases a = l.acquire(client("a"));
    ConnectionLeases b = l.acquire(client("a"));
    assertEquals(0, a.refusedStatus());
    assertEquals(0, b.refusedStatus());
    assertEquals(503, l.acquire(client("a")).refusedStatus());
    assertEquals(0, l.acquire(client("other")).refusedStatus());
    a.release();
    a.release(); // twice: counted once
    ConnectionLeases c = l.acquire(client("a"));
    assertEquals(0, c.refusedStatus());
    assertEquals(503, l.acquire(client("a")).refusedStatus());
    assertEquals(2.0, count("wharf.conn_limit", "c", "rejected"));
  }

  @Test
  void aFullConnectionZoneRefusesANewKey() {
    ConnectionZone zone = ConnectionZone.standalone("c", 100);
    assertTrue(zone.acquire("a".repeat(60), 10));
    assertEquals(false, zone.acquire("b".repeat(60), 10));
    zone.release("a".repeat(60));
    assertTrue(zone.acquire("b".repeat(60), 10));
  }

  @Test
  void unchangedZonesAreTheSameObjects() {
    RateLimitZones.Compiled one = zones.update(List.of(ONE_PER_SECOND));
    RateLimitZones.Compiled two = zones.update(List.of(ONE_PER_SECOND));
    assertSame(one.requests().get("one"), two.requests().get("one"));
    assertEquals(Map.of(), zones.update(List.of()).requests());
  }

  private double count(String name, String zone, String outcome) {
    return registry.get(name).tags("zone", zone, "outcome", outcome).counter().count();
  }
}
