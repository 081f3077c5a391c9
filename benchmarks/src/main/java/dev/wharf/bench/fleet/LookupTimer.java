package dev.wharf.bench.fleet;

import dev.wharf.dataplane.routing.RoutingTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times {@link RoutingTable#select} per request, for several tables at once. JMH is not available
 * offline, so this is a plain loop made as careful as a loop can be:
 *
 * <ul>
 *   <li>every request is checked once to select its intended route, so the loop times real matches,
 *       not misses;
 *   <li>warm-up first, over every table, until the JIT has compiled the lookup for all of them;
 *   <li>then rounds, each timing every table in turn (the order rotates from round to round), so
 *       drift in the machine's load hits every size alike; the median round is reported;
 *   <li>each lookup's result feeds a sum that ends in a volatile field, so no lookup can be removed
 *       as dead code (the role of JMH's blackhole).
 * </ul>
 */
final class LookupTimer {
  /** Nanoseconds per lookup: median, fastest and slowest round. */
  record Result(double medianNanos, double minNanos, double maxNanos, int rounds) {}

  /** One table and the requests to send it. */
  record Table(RoutingTable routes, List<FleetConfigs.Lookup> lookups) {}

  @SuppressWarnings("unused") // written so the JIT must compute every lookup
  private static volatile long sink;

  private LookupTimer() {}

  static List<Result> run(List<Table> tables, int rounds, Duration warmup, Duration roundTime) {
    List<String[]> hosts = new ArrayList<>();
    List<String[]> paths = new ArrayList<>();
    for (Table t : tables) {
      check(t);
      hosts.add(t.lookups().stream().map(FleetConfigs.Lookup::host).toArray(String[]::new));
      paths.add(t.lookups().stream().map(FleetConfigs.Lookup::path).toArray(String[]::new));
    }
    long acc = 0;
    long warmupEnd = System.nanoTime() + warmup.toNanos();
    while (System.nanoTime() < warmupEnd) {
      for (int i = 0; i < tables.size(); i++) {
        acc += pass(tables.get(i).routes(), hosts.get(i), paths.get(i));
      }
    }
    int[] passes = new int[tables.size()];
    for (int i = 0; i < tables.size(); i++) {
      long start = System.nanoTime();
      acc += pass(tables.get(i).routes(), hosts.get(i), paths.get(i));
      long one = Math.max(1, System.nanoTime() - start);
      passes[i] = (int) Math.max(1, roundTime.toNanos() / one);
    }
    double[][] perLookup = new double[tables.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < tables.size(); k++) {
        int i = (r + k) % tables.size();
        RoutingTable table = tables.get(i).routes();
        String[] h = hosts.get(i);
        String[] p = paths.get(i);
        long start = System.nanoTime();
        for (int n = 0; n < passes[i]; n++) {
          acc += pass(table, h, p);
        }
        perLookup[i][r] = (System.nanoTime() - start) / ((double) passes[i] * h.length);
      }
    }
    sink = acc;
    List<Result> results = new ArrayList<>();
    for (double[] values : perLookup) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      results.add(
          new Result(sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], rounds));
    }
    return results;
  }

  private static long pass(RoutingTable table, String[] hosts, String[] paths) {
    long acc = 0;
    for (int i = 0; i < hosts.length; i++) {
      RoutingTable.Selection s = table.select(FleetConfigs.LISTENER, hosts[i], paths[i]);
      acc += s == null ? -1 : s.route().index();
    }
    return acc;
  }

  /** Every request reaches the route it was generated for, or the benchmark is wrong. */
  static void check(Table t) {
    for (FleetConfigs.Lookup l : t.lookups()) {
      RoutingTable.Selection s = t.routes().select(FleetConfigs.LISTENER, l.host(), l.path());
      String chosen = s == null ? "no route" : s.route().name();
      if (!chosen.equals(l.expectedRoute())) {
        throw new IllegalStateException(
            "lookup of "
                + l.host()
                + l.path()
                + " chose "
                + chosen
                + ", expected "
                + l.expectedRoute());
      }
    }
  }
}
