package dev.wharf.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigValidator;
import dev.wharf.config.RouteDelta;
import dev.wharf.dataplane.drain.DrainReason;
import dev.wharf.dataplane.drain.DrainView;
import dev.wharf.dataplane.drain.Placement;
import dev.wharf.dataplane.ratelimit.RateLimitZones;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Header;
import dev.wharf.proto.config.v1.HeaderRules;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.Upstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * A changed config compiled against the table that serves keeps every compiled object the change
 * did not touch, by identity, and selects exactly what a table compiled from scratch selects.
 */
class IncrementalCompileTest {
  private static final int ROUTES = 10_000;
  private static final int HOSTS = 8;
  private static final Config BASE = generate();

  private final EndpointRegistry registry = new EndpointRegistry();

  private static Config generate() {
    Config.Builder c =
        Config.newBuilder().addListeners(Listener.newBuilder().setName("web").setPort(8080));
    for (int u = 0; u < 4; u++) {
      Upstream.Builder up = Upstream.newBuilder().setName("u" + u);
      for (int e = 0; e < 3; e++) {
        up.addEndpoints(Endpoint.newBuilder().setAddress("127.0.0." + (1 + e) + ":" + (9000 + u)));
      }
      c.addUpstreams(up);
    }
    for (int i = 0; i < ROUTES; i++) {
      PathMatch.Builder path = PathMatch.newBuilder();
      if (i % 500 == 7) {
        path.setRegex("^/re" + i + "/(.*)$");
      } else if (i % 3 == 0) {
        path.setExact("/x" + i);
      } else {
        path.setPrefix("/p" + i + "/");
      }
      c.addRoutes(
          Route.newBuilder()
              .setName("r" + i)
              .setMatch(RouteMatch.newBuilder().addHosts(host(i)).setPath(path))
              .setProxy(ProxyAction.newBuilder().setUpstream("u" + (i % 4))));
    }
    return c.build();
  }

  private static String host(int i) {
    return "h" + (i % HOSTS) + ".example.com";
  }

  private static String pathOf(Route r) {
    PathMatch p = r.getMatch().getPath();
    return p.hasExact()
        ? p.getExact()
        : p.hasPrefix() ? p.getPrefix() + "x" : "/re" + r.getName().substring(1) + "/y";
  }

  private static Config withHeader(Config config, int index) {
    Route changed =
        config.getRoutes(index).toBuilder()
            .setResponseHeaders(
                HeaderRules.newBuilder()
                    .addSet(Header.newBuilder().setName("x-change").setValue("1")))
            .build();
    return config.toBuilder().setRoutes(index, changed).build();
  }

  private Map<String, CompiledUpstream> upstreams(
      Config config, Config previous, RoutingTable before) {
    return Upstreams.compile(
        config,
        previous,
        before == null ? Map.of() : before.upstreams(),
        registry,
        IncrementalCompileTest::random,
        Map.of());
  }

  private static RandomGenerator random() {
    return new SplittableRandom(1);
  }

  private RoutingTable compile(Config config, Config previous, RoutingTable before) {
    assertTrue(ConfigValidator.validate(config).isEmpty(), "a valid config");
    return RoutingTable.compile(config, upstreams(config, previous, before), before);
  }

  private static CompiledRoute selected(RoutingTable table, Route r) {
    RoutingTable.Selection s =
        table.select("web", host(Integer.parseInt(r.getName().substring(1))), pathOf(r));
    assertNotNull(s, r.getName());
    assertEquals(r.getName(), s.route().name());
    return s.route();
  }

  @Test
  void aOneRouteChangeKeepsTheCompiledObjectsOfTheOther9999RoutesAndEveryUpstream() {
    RoutingTable before = compile(BASE, null, null);
    Config next = withHeader(BASE, 5_000);

    RoutingTable after = compile(next, BASE, before);

    for (int i = 0; i < ROUTES; i++) {
      Route r = next.getRoutes(i);
      if (i == 5_000) {
        CompiledRoute changed = selected(after, r);
        assertNotSame(selected(before, BASE.getRoutes(i)), changed);
        assertEquals("x-change", changed.config().getResponseHeaders().getSet(0).getName());
      } else {
        assertSame(selected(before, r), selected(after, r), r.getName());
      }
    }
    for (String name : before.upstreams().keySet()) {
      assertSame(before.upstreams().get(name), after.upstreams().get(name), name);
    }
  }

  @Test
  void aConfigParsedFromTheWireIsComparedByValueAndStillReused() throws Exception {
    RoutingTable before = compile(BASE, null, null);
    Config next = Config.parseFrom(withHeader(BASE, 42).toByteArray());

    RoutingTable after = compile(next, BASE, before);

    assertNotSame(selected(before, BASE.getRoutes(42)), selected(after, next.getRoutes(42)));
    for (int i : new int[] {0, 1, 41, 43, 507, 9_999}) {
      assertSame(selected(before, BASE.getRoutes(i)), selected(after, next.getRoutes(i)));
    }
    assertSame(before.upstreams().get("u1"), after.upstreams().get("u1"));
  }

  @Test
  void aChangedUpstreamIsCompiledAgainAndTheRoutesToItFollowIt() {
    RoutingTable before = compile(BASE, null, null);
    Upstream fewer = BASE.getUpstreams(2).toBuilder().removeEndpoints(0).removeEndpoints(0).build();
    Config next = BASE.toBuilder().setUpstreams(2, fewer).build();

    RoutingTable after = compile(next, BASE, before);

    CompiledUpstream u2 = after.upstreams().get("u2");
    assertNotSame(before.upstreams().get("u2"), u2);
    assertEquals(1, u2.endpoints().size());
    assertSame(before.upstreams().get("u1"), after.upstreams().get("u1"));
    Route toU2 = next.getRoutes(2);
    assertSame(u2, selected(after, toU2).proxy().upstream(), "the route proxies to the new one");
    assertSame(selected(before, next.getRoutes(1)), selected(after, next.getRoutes(1)));
  }

  @Test
  void routesMovedByAnInsertionKeepTheirSelectionsAndGetTheirNewPositions() {
    RoutingTable before = compile(BASE, null, null);
    Route first =
        Route.newBuilder()
            .setName("first")
            .setMatch(
                RouteMatch.newBuilder()
                    .addHosts(host(0))
                    .setPath(PathMatch.newBuilder().setExact("/first")))
            .setProxy(ProxyAction.newBuilder().setUpstream("u0"))
            .build();
    Config next =
        BASE.toBuilder().clearRoutes().addRoutes(first).addAllRoutes(BASE.getRoutesList()).build();

    RoutingTable after = compile(next, BASE, before);
    RoutingTable scratch = RoutingTable.compile(next, upstreams(next, null, null));

    for (int i = 1; i <= ROUTES; i += 97) {
      Route r = next.getRoutes(i);
      assertEquals(i, selected(after, r).index(), r.getName());
      assertEquals(selected(scratch, r).index(), selected(after, r).index());
    }
    assertEquals("first", after.select("web", host(0), "/first").route().name());
    assertEquals(
        selected(before, BASE.getRoutes(3)).responseHeaders(),
        selected(after, next.getRoutes(4)).responseHeaders(),
        "the compiled parts are taken over");
  }

  @Test
  void aRemovedRouteIsGone() {
    RoutingTable before = compile(BASE, null, null);
    Config next = BASE.toBuilder().removeRoutes(10).build();

    RoutingTable after = compile(next, BASE, before);

    RoutingTable.Selection s = after.select("web", host(10), "/p10/x");
    assertTrue(s == null || !s.route().name().equals("r10"), "r10 is gone");
    assertSame(
        selected(before, BASE.getRoutes(11)).proxy(), selected(after, next.getRoutes(10)).proxy());
  }

  private RoutingTable compileWithDelta(Config config, Config previous, RoutingTable before) {
    RouteDelta delta = RouteDelta.of(config, previous);
    assertTrue(ConfigValidator.validate(config, delta).isEmpty(), "a valid config");
    Map<String, CompiledUpstream> upstreams = upstreams(config, previous, before);
    return RoutingTable.compile(
        config,
        upstreams,
        new RateLimitZones(new SimpleMeterRegistry()).update(config.getRateLimitZonesList()),
        before,
        delta);
  }

  @Test
  void withTheRoutesComparedOnceAParsedChangeKeepsTheRestAndSelectsAsAFreshCompile()
      throws Exception {
    RoutingTable before = compileWithDelta(BASE, null, null);
    Config next = Config.parseFrom(withHeader(BASE, 42).toByteArray());

    RoutingTable after = compileWithDelta(next, BASE, before);
    RoutingTable scratch = RoutingTable.compile(next, upstreams(next, null, null));

    assertNotSame(selected(before, BASE.getRoutes(42)), selected(after, next.getRoutes(42)));
    for (int i = 0; i < ROUTES; i += 37) {
      Route r = next.getRoutes(i);
      if (i != 42) {
        assertSame(selected(before, BASE.getRoutes(i)), selected(after, r), r.getName());
      }
      assertEquals(selected(scratch, r).index(), selected(after, r).index());
      assertEquals(selected(scratch, r).config(), selected(after, r).config());
    }
  }

  @Test
  void aDeltaAgainstAnotherConfigThanTheTablesIsNotTrusted() {
    RoutingTable before = compileWithDelta(BASE, null, null);
    Config unrelated = withHeader(BASE, 7); // not what `before` was compiled for
    Config next = withHeader(BASE, 9);

    RoutingTable after =
        RoutingTable.compile(
            next,
            upstreams(next, BASE, before),
            new RateLimitZones(new SimpleMeterRegistry()).update(next.getRateLimitZonesList()),
            before,
            RouteDelta.of(next, unrelated));

    assertEquals(
        "x-change",
        selected(after, next.getRoutes(9)).config().getResponseHeaders().getSet(0).getName());
    assertEquals(0, selected(after, next.getRoutes(7)).config().getResponseHeaders().getSetCount());
    assertSame(selected(before, BASE.getRoutes(8)), selected(after, next.getRoutes(8)));
  }

  private static Placement placement(String route, String upstream, String endpoint) {
    return new Placement(route, upstream, endpoint, null);
  }

  @Test
  void theDrainViewOfAnIncrementalTableJudgesAsThatOfAFreshOne() {
    RoutingTable before = compileWithDelta(BASE, null, null);
    Route moved =
        BASE.getRoutes(3).toBuilder().setProxy(ProxyAction.newBuilder().setUpstream("u1")).build();
    Config next = BASE.toBuilder().setRoutes(3, moved).build();

    RoutingTable after = compileWithDelta(next, BASE, before);
    RoutingTable scratch = RoutingTable.compile(next, upstreams(next, null, null));

    DrainView.Health healthy = (u, a) -> true;
    for (Placement p :
        new Placement[] {
          placement("r3", "u3", "127.0.0.1:9003"), // its route now proxies to u1
          placement("r4", "u0", "127.0.0.1:9000"), // unchanged
          placement("r5", "u1", "127.0.0.9:9001"), // an endpoint u1 does not have
          placement("gone", "u0", "127.0.0.1:9000"), // no such route
        }) {
      assertEquals(
          scratch.drainView(healthy).reason(p), after.drainView(healthy).reason(p), p.route());
    }
    assertEquals(
        DrainReason.ROUTE_CHANGED,
        after.drainView(healthy).reason(placement("r3", "u3", "127.0.0.1:9003")));
    assertEquals(null, after.drainView(healthy).reason(placement("r4", "u0", "127.0.0.1:9000")));
  }
}
