package dev.wharf.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.config.RouteDelta;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of route additions, changes, moves and removals on a few hundred routes: every
 * table compiled against the one before (with the routes compared once, sometimes parsed from bytes
 * as a node receives them) selects, for every probe request, exactly what a table compiled from
 * scratch selects. The seeds are fixed, and {@code -Dwharf.test.seed=N} adds one, so a failure
 * names the seed and step that reproduce it.
 */
class IncrementalEquivalenceTest {
  private static final String[] HOSTS = {
    "a.example", "b.example", "*.c.example", ".d.example", "www.e.*", "~^f[0-9]+\\.example$"
  };
  private static final String[] PROBE_HOSTS = {
    "a.example",
    "b.example",
    "x.c.example",
    "d.example",
    "y.d.example",
    "www.e.org",
    "f12.example",
    "unknown.example"
  };
  private static final int ROUTES = 300;
  private static final int STEPS = 60;

  private final EndpointRegistry registry = new EndpointRegistry();

  static List<Long> seeds() {
    List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L, 20_261_207L));
    String extra = System.getProperty("wharf.test.seed");
    if (extra != null && !extra.isBlank()) {
      seeds.add(Long.parseLong(extra.trim()));
    }
    return seeds;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyIncrementalTableSelectsAsAFreshCompileDoes(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Config config = base(random);
    RoutingTable table = compile(config, null, null);
    int applied = 0;
    for (int step = 0; step < STEPS; step++) {
      Config next = mutate(config, random, step);
      if (!ConfigValidator.validate(next).isEmpty()) {
        continue; // e.g. a duplicate location: a node refuses it and keeps what serves
      }
      if (random.nextInt(3) == 0) {
        next = Config.parseFrom(next.toByteArray()); // as a node receives it
      }
      RoutingTable incremental = compile(next, config, table);
      RoutingTable fresh = compile(next, null, null);
      assertSameSelections(fresh, incremental, next, "seed " + seed + " step " + step);
      config = next;
      table = incremental;
      applied++;
    }
    assertEquals(true, applied > STEPS / 3, "most random changes are valid: " + applied);
  }

  private RoutingTable compile(Config config, Config previous, RoutingTable before) {
    Map<String, CompiledUpstream> upstreams =
        Upstreams.compile(
            config,
            previous,
            before == null ? Map.of() : before.upstreams(),
            registry,
            () -> new SplittableRandom(7),
            Map.of());
    return RoutingTable.compile(
        config,
        upstreams,
        new RateLimitZones(new SimpleMeterRegistry()).update(config.getRateLimitZonesList()),
        before,
        previous == null ? null : RouteDelta.of(config, previous));
  }

  private static void assertSameSelections(
      RoutingTable fresh, RoutingTable incremental, Config config, String where) {
    for (String host : PROBE_HOSTS) {
      for (String path : probePaths(config)) {
        RoutingTable.Selection want = fresh.select("web", host, path);
        RoutingTable.Selection got = incremental.select("web", host, path);
        String what = where + ": " + host + path;
        assertEquals(describe(want), describe(got), what);
      }
    }
  }

  private static String describe(RoutingTable.Selection s) {
    if (s == null) {
      return "none";
    }
    StringBuilder d = new StringBuilder();
    d.append(s.route().name()).append('@').append(s.route().index());
    d.append(' ').append(s.route().config().hashCode());
    d.append(' ').append(s.route().proxy() == null ? "-" : s.route().proxy().upstream().name());
    if (s.groups() != null) {
      for (int g = 0; g <= s.groups().groupCount(); g++) {
        d.append(" g").append(g).append('=').append(s.groups().group(g));
      }
    }
    return d.toString();
  }

  /** Paths that hit every route's match, its slash redirect and the spaces between them. */
  private static List<String> probePaths(Config config) {
    List<String> paths = new ArrayList<>(List.of("/", "/zzz", "/p", "/q/"));
    for (Route r : config.getRoutesList()) {
      PathMatch p = r.getMatch().getPath();
      String v =
          p.hasExact()
              ? p.getExact()
              : p.hasPrefix()
                  ? p.getPrefix()
                  : p.hasPrefixNoRegex() ? p.getPrefixNoRegex() : "/re/" + r.getName();
      paths.add(v);
      paths.add(v + "x");
      if (v.endsWith("/")) {
        paths.add(v.substring(0, v.length() - 1));
      }
    }
    return paths;
  }

  private static Config base(SplittableRandom random) {
    Config.Builder c =
        Config.newBuilder()
            .addListeners(Listener.newBuilder().setName("web").setPort(8080))
            .addListeners(Listener.newBuilder().setName("other").setPort(8081));
    for (int u = 0; u < 3; u++) {
      c.addUpstreams(
          Upstream.newBuilder()
              .setName("u" + u)
              .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:" + (9000 + u))));
    }
    // One route at a time, each kept only when the config stays valid (no duplicate location).
    List<ConfigError> last = List.of();
    for (int tries = 0; c.getRoutesCount() < ROUTES && tries < 20 * ROUTES; tries++) {
      c.addRoutes(route("r" + c.getRoutesCount(), random));
      last = ConfigValidator.validate(c.build());
      if (!last.isEmpty()) {
        c.removeRoutes(c.getRoutesCount() - 1);
      }
    }
    assertEquals(ROUTES, c.getRoutesCount(), "a valid base config; last refusal: " + last);
    return c.build();
  }

  private static Route route(String name, SplittableRandom random) {
    RouteMatch.Builder match = RouteMatch.newBuilder().setPath(path(random));
    int hosts = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2);
    for (int h = 0; h < hosts; h++) {
      String host = HOSTS[random.nextInt(HOSTS.length)];
      if (!match.getHostsList().contains(host)) {
        match.addHosts(host);
      }
    }
    Route.Builder r =
        Route.newBuilder()
            .setName(name)
            .setMatch(match)
            .setProxy(ProxyAction.newBuilder().setUpstream("u" + random.nextInt(3)));
    if (random.nextInt(5) == 0) {
      r.setSlashRedirect(true);
    }
    return r.build();
  }

  /** Paths from a small space, so routes often share, shadow and nest in one another. */
  private static PathMatch path(SplittableRandom random) {
    String v = "/" + (char) ('a' + random.nextInt(6)) + "/" + random.nextInt(40);
    if (random.nextBoolean()) {
      v += "/";
    }
    return switch (random.nextInt(6)) {
      case 0 -> PathMatch.newBuilder().setExact(v).build();
      case 1 -> PathMatch.newBuilder().setPrefixNoRegex(v).build();
      case 2 -> PathMatch.newBuilder().setRegex("^/re/r" + random.nextInt(400) + "(/.*)?$").build();
      case 3 -> PathMatch.newBuilder().setRegexCaseInsensitive("^" + v + "[0-9]*x$").build();
      default -> PathMatch.newBuilder().setPrefix(v).build();
    };
  }

  private static Config mutate(Config config, SplittableRandom random, int step) {
    Config.Builder next = config.toBuilder();
    int changes = 1 + (random.nextInt(4) == 0 ? random.nextInt(5) : 0);
    for (int k = 0; k < changes && next.getRoutesCount() > 1; k++) {
      int i = random.nextInt(next.getRoutesCount());
      Route r = next.getRoutes(i);
      switch (random.nextInt(8)) {
        case 0 ->
            next.addRoutes(
                random.nextInt(next.getRoutesCount()), route("n" + step + "-" + k, random));
        case 1 -> next.removeRoutes(i);
        case 2 ->
            next.setRoutes(
                i, r.toBuilder().setMatch(r.getMatch().toBuilder().setPath(path(random))));
        case 3 -> next.setRoutes(i, route(r.getName(), random));
        case 4 ->
            next.setRoutes(
                i,
                r.toBuilder()
                    .setProxy(ProxyAction.newBuilder().setUpstream("u" + random.nextInt(3))));
        case 5 -> {
          next.removeRoutes(i);
          next.addRoutes(random.nextInt(next.getRoutesCount() + 1), r); // moved
        }
        case 6 -> // on the probed listener, on the other one only, or on both
            next.setRoutes(
                i,
                switch (random.nextInt(3)) {
                  case 0 -> r.toBuilder().clearListeners().addListeners("other");
                  case 1 -> r.toBuilder().clearListeners().addListeners("web");
                  default -> r.toBuilder().clearListeners();
                });
        default ->
            next.setRoutes(
                i,
                r.toBuilder()
                    .setResponseHeaders(
                        HeaderRules.newBuilder()
                            .addSet(Header.newBuilder().setName("x-step").setValue("" + step))));
      }
    }
    return next.build();
  }
}
