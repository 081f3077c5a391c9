package dev.wharf.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.ConfigValidator;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated configs the snapshot and fleet benchmarks run on. */
class FleetConfigsTest {
  @ParameterizedTest
  @CsvSource({"1, 2", "10, 2", "1000, 2", "10000, 2", "10000, 0", "10000, 25"})
  void generatedConfigsPassTheValidatorWithTheRequestedRouteCount(int routes, int regexPerHost) {
    Config config = FleetConfigs.generate(routes, 8080, regexPerHost);

    assertEquals(List.of(), ConfigValidator.validate(config));
    assertEquals(routes, config.getRoutesCount());
  }

  @Test
  void regexRoutesStayFewAsTheConfigGrows() {
    assertEquals(2, regexRoutes(FleetConfigs.generate(10, 8080)));
    assertEquals(16, regexRoutes(FleetConfigs.generate(1000, 8080)));
    assertEquals(16, regexRoutes(FleetConfigs.generate(10000, 8080)));
    assertEquals(200, regexRoutes(FleetConfigs.generate(10000, 8080, 25)));
  }

  @Test
  void aChangeTouchesOneRouteAndStaysValid() {
    Config base = FleetConfigs.generate(1000, 8080);

    Config changed = FleetConfigs.changed(base, 1007);

    assertEquals(List.of(), ConfigValidator.validate(changed));
    int differing = 0;
    for (int i = 0; i < base.getRoutesCount(); i++) {
      if (!base.getRoutes(i).equals(changed.getRoutes(i))) {
        differing++;
        assertEquals(7, i);
      }
    }
    assertEquals(1, differing);
    assertNotEquals(FleetConfigs.changed(base, 1), FleetConfigs.changed(base, 2));
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 1000, 10000})
  void lookupRequestsReachTheRoutesTheyWereGeneratedForInEveryKind(int routes) {
    Config config = FleetConfigs.generate(routes, 8080);
    RoutingTable table =
        RoutingTable.compile(
            config, Upstreams.compile(config, new EndpointRegistry(), ThreadLocalRandom::current));
    List<FleetConfigs.Lookup> lookups = FleetConfigs.lookups(routes, 2, 4096, 7);

    LookupTimer.check(new LookupTimer.Table(table, lookups)); // throws on the first miss

    Set<FleetConfigs.Kind> kinds =
        lookups.stream()
            .map(FleetConfigs.Lookup::kind)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(FleetConfigs.Kind.class)));
    assertEquals(EnumSet.allOf(FleetConfigs.Kind.class), kinds);
    // Every size spreads its requests over the same eight host names.
    assertEquals(8, lookups.stream().map(FleetConfigs.Lookup::host).distinct().count());
  }

  @Test
  void impossibleSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> FleetConfigs.generate(0, 8080));
    assertThrows(IllegalArgumentException.class, () -> FleetConfigs.generate(10, 0));
    assertThrows(IllegalArgumentException.class, () -> FleetConfigs.generate(10, 8080, -1));
  }

  private static long regexRoutes(Config config) {
    return config.getRoutesList().stream()
        .filter(
            r ->
                r.getMatch().getPath().hasRegex()
                    || r.getMatch().getPath().hasRegexCaseInsensitive())
        .count();
  }
}
