package dev.wharf.bench.fleet;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.dataplane.discovery.PushDecoder;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.NodeSnapshot;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Times what a node does with a pushed snapshot, for configs of several sizes ({@link
 * FleetConfigs}): {@link DataPlaneNode#apply} as a whole (validate, compile upstreams and the
 * routing table, swap), validation and compilation alone, and then route lookups in the compiled
 * tables ({@link LookupTimer}): requests spread over the whole table, and a small hot set of them
 * repeated, which tells the work per lookup apart from the cost of a table too big for the CPU
 * caches.
 *
 * <p>One real node serves the whole run, bound to a free loopback port; after its first apply the
 * listener stays as it is, so the timed applies never bind. Each size is warmed up first (every
 * size, so the JIT sees them all), then applied {@code applies} times in a row, each time with one
 * route changed, as a node running that config receives a change.
 */
public final class SnapshotBuild {
  /** How to run; durations bound the lookup timing. */
  public record Settings(
      List<Integer> routes,
      int applies,
      int warmup,
      int regexPerHost,
      int lookupSamples,
      int lookupHotSet,
      int lookupRounds,
      Duration lookupWarmup,
      Duration lookupRoundTime,
      int workers) {
    public Settings {
      routes = List.copyOf(routes);
      if (routes.isEmpty() || routes.stream().anyMatch(n -> n < 1)) {
        throw new IllegalArgumentException("routes: " + routes + " (expected: sizes >= 1)");
      }
      if (applies < 1
          || warmup < 0
          || regexPerHost < 0
          || lookupSamples < 1
          || lookupHotSet < 1
          || lookupHotSet > lookupSamples
          || lookupRounds < 1
          || workers < 1) {
        throw new IllegalArgumentException(
            "applies, lookup samples, lookup rounds and workers "
                + "must be >= 1, the hot set 1 to the lookup samples, warmup and regexPerHost >= 0");
      }
    }
  }

  /**
   * One size's figures.
   *
   * @param regexRoutes regex routes in the config (all hosts)
   * @param compile upstreams and routing table compiled alone, without validation
   * @param lookup requests spread over the whole table
   * @param hotLookup the first {@code lookupHotSet} of those requests over and over: the work per
   *     lookup, with the table's hot part in the CPU caches
   * @param servedVersion the version the node served after the timed applies of this size
   * @param served the config the node served then (so a test can check what was built)
   */
  public record SizeResult(
      int routes,
      int hosts,
      int regexRoutes,
      int configBytes,
      Samples apply,
      Samples validate,
      Samples compile,
      LookupTimer.Result lookup,
      LookupTimer.Result hotLookup,
      long servedVersion,
      Config served) {}

  /**
   * With {@code -Dwharf.bench.parsed=true} each timed config is decoded from a push's bytes first,
   * as a node's discovery client decodes it ({@link PushDecoder}: routes byte-identical to those of
   * the push before are taken over); without, the configs share unchanged route objects.
   */
  private static final boolean PARSED = Boolean.getBoolean("wharf.bench.parsed");

  private SnapshotBuild() {}

  public static List<SizeResult> run(Settings s, PrintStream log) throws Exception {
    int port = freePort();
    List<Config> bases = generate(s, port);
    List<SizeResult> results = new ArrayList<>();
    List<LookupTimer.Table> tables = new ArrayList<>();
    try (DataPlaneNode node =
        DataPlaneNode.builder().transport(Transport.best()).workers(s.workers()).build()) {
      Sequence seq = new Sequence();
      warmUp(node, bases, s.warmup(), seq);
      for (int i = 0; i < bases.size(); i++) {
        results.add(measure(node, bases.get(i), s.routes().get(i), s, seq, tables, log));
      }
    }
    List<LookupTimer.Result> lookups =
        LookupTimer.run(tables, s.lookupRounds(), s.lookupWarmup(), s.lookupRoundTime());
    return withLookups(results, lookups, log);
  }

  /** The numbers the run hands out in turn: config versions and route changes. */
  private static final class Sequence {
    private long version;
    private int change;

    long nextVersion() {
      return ++version;
    }

    int nextChange() {
      return ++change;
    }
  }

  /** One valid generated config of each size in {@code s}, all listening on {@code port}. */
  private static List<Config> generate(Settings s, int port) {
    List<Config> bases = new ArrayList<>();
    for (int n : s.routes()) {
      Config base = FleetConfigs.generate(n, port, s.regexPerHost());
      List<ConfigError> errors = ConfigValidator.validate(base);
      if (!errors.isEmpty()) {
        throw new IllegalStateException(
            "generated config of " + n + " routes is invalid: " + errors);
      }
      bases.add(base);
    }
    return bases;
  }

  /** Applies, validates and compiles every size {@code rounds} times, untimed, for the JIT. */
  private static void warmUp(DataPlaneNode node, List<Config> bases, int rounds, Sequence seq)
      throws Exception {
    for (int w = 0; w < rounds; w++) {
      for (Config base : bases) {
        Config next = FleetConfigs.changed(base, seq.nextChange());
        node.apply(next, seq.nextVersion());
        ConfigValidator.validate(next);
        compile(next);
      }
    }
  }

  /**
   * Times one size: switches the node to it, times applies, then validation and compilation alone,
   * and adds its spread and hot-set lookups to {@code tables}. The result has no lookup figures
   * yet.
   */
  private static SizeResult measure(
      DataPlaneNode node,
      Config base,
      int routes,
      Settings s,
      Sequence seq,
      List<LookupTimer.Table> tables,
      PrintStream log)
      throws Exception {
    List<Long> validate = new ArrayList<>();
    List<Long> compile = new ArrayList<>();
    node.apply(FleetConfigs.changed(base, seq.nextChange()), seq.nextVersion()); // now this size
    List<Long> apply = timeApplies(node, base, s.applies(), seq);
    NodeSnapshot served = node.snapshot();
    timeValidateAndCompile(base, s.applies(), seq, validate, compile);
    RoutingTable table = served.routes();
    List<FleetConfigs.Lookup> lookups =
        FleetConfigs.lookups(routes, s.regexPerHost(), s.lookupSamples(), 42);
    tables.add(new LookupTimer.Table(table, lookups));
    tables.add(new LookupTimer.Table(table, hotSet(lookups, s.lookupHotSet())));
    Samples applied = Samples.of(apply);
    log.printf(
        "snapshot-build: %d routes: apply p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        routes, applied.p50Millis(), applied.p99Millis(), applied.maxMillis());
    return new SizeResult(
        routes,
        FleetConfigs.hostCount(routes),
        regexRoutes(base),
        base.getSerializedSize(),
        applied,
        Samples.of(validate),
        Samples.of(compile),
        null,
        null,
        served.version(),
        served.config());
  }

  /**
   * Nanoseconds of {@code times} applies of changed versions of {@code base}, one after another.
   */
  private static List<Long> timeApplies(DataPlaneNode node, Config base, int times, Sequence seq)
      throws Exception {
    List<Long> apply = new ArrayList<>();
    PushDecoder decoder = new PushDecoder();
    if (PARSED) { // the config that serves came the same way (untimed)
      node.apply(received(decoder, node.snapshot().config()), seq.nextVersion());
    }
    for (int k = 0; k < times; k++) {
      Config next = FleetConfigs.changed(base, seq.nextChange());
      if (PARSED) { // as a node receives it: decoded from the push's bytes, as the node does
        next = received(decoder, next);
      }
      long start = System.nanoTime();
      node.apply(next, seq.nextVersion());
      apply.add(System.nanoTime() - start);
    }
    return apply;
  }

  /** {@code config} as the node's discovery client decodes it from a push's bytes. */
  private static Config received(PushDecoder decoder, Config config) throws Exception {
    byte[] push =
        ControlMessage.newBuilder()
            .setSnapshot(Snapshot.newBuilder().setVersion(1).setConfig(config))
            .build()
            .toByteArray();
    return decoder.decode(push).getSnapshot().getConfig();
  }

  /** Times validation and compilation alone, {@code times} times, into the two lists. */
  private static void timeValidateAndCompile(
      Config base, int times, Sequence seq, List<Long> validate, List<Long> compile) {
    for (int k = 0; k < times; k++) {
      Config next = FleetConfigs.changed(base, seq.nextChange());
      long start = System.nanoTime();
      ConfigValidator.validate(next);
      long validated = System.nanoTime();
      compile(next);
      long compiled = System.nanoTime();
      validate.add(validated - start);
      compile.add(compiled - validated);
    }
  }

  /**
   * {@code results} with their lookup figures: {@code lookups} holds each size's spread and hot
   * set, in that order, as {@link #measure} added their tables.
   */
  private static List<SizeResult> withLookups(
      List<SizeResult> results, List<LookupTimer.Result> lookups, PrintStream log) {
    List<SizeResult> withLookups = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      SizeResult r = results.get(i);
      LookupTimer.Result spread = lookups.get(2 * i);
      LookupTimer.Result hot = lookups.get(2 * i + 1);
      log.printf(
          "snapshot-build: %d routes: lookup %.1f ns, hot set %.1f ns (medians of %d "
              + "rounds)%n",
          r.routes(), spread.medianNanos(), hot.medianNanos(), spread.rounds());
      withLookups.add(
          new SizeResult(
              r.routes(),
              r.hosts(),
              r.regexRoutes(),
              r.configBytes(),
              r.apply(),
              r.validate(),
              r.compile(),
              spread,
              hot,
              r.servedVersion(),
              r.served()));
    }
    return withLookups;
  }

  /** The first {@code size} requests, repeated to the length of {@code lookups}. */
  private static List<FleetConfigs.Lookup> hotSet(List<FleetConfigs.Lookup> lookups, int size) {
    List<FleetConfigs.Lookup> hot = new ArrayList<>(lookups.size());
    for (int i = 0; i < lookups.size(); i++) {
      hot.add(lookups.get(i % size));
    }
    return hot;
  }

  /** What apply does between validating and swapping, on a registry of its own. */
  private static RoutingTable compile(Config config) {
    Map<String, CompiledUpstream> upstreams =
        Upstreams.compile(config, new EndpointRegistry(), ThreadLocalRandom::current);
    return RoutingTable.compile(config, upstreams);
  }

  private static int regexRoutes(Config config) {
    return (int)
        config.getRoutesList().stream()
            .filter(
                r ->
                    r.getMatch().getPath().hasRegex()
                        || r.getMatch().getPath().hasRegexCaseInsensitive())
            .count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
