package dev.wharf.bench.fleet;

import java.util.List;
import java.util.Locale;

/** The Markdown sections of benchmarks/fleet.sh's report, one per tool. */
final class FleetMarkdown {
  /**
   * docs/performance.md, "Targets": a change applied and ACKed by 100 nodes within 250 ms (p99).
   */
  static final int TARGET_NODES = 100;

  static final double TARGET_ACK_P99_MILLIS = 250;

  /** docs/performance.md, "Targets": a 10,000-route snapshot compiled and swapped within 50 ms. */
  static final int TARGET_ROUTES = 10_000;

  static final double TARGET_APPLY_MILLIS = 50;

  /**
   * Our reading of "route lookup time independent of route count": the largest table's lookup costs
   * at most this many times the smallest's. Noise on a shared machine is about 20%.
   */
  static final double LOOKUP_RATIO_LIMIT = 1.5;

  private FleetMarkdown() {}

  static String fleet(List<FleetResult> results) {
    StringBuilder md = new StringBuilder();
    appendPushToAckHeader(md);
    for (FleetResult r : results) {
      appendPushToAckRow(md, r);
    }
    md.append('\n');
    for (FleetResult r : results) {
      appendRunNote(md, r);
    }
    return md.append('\n').append(TimelineMarkdown.table(results)).toString();
  }

  /** The Push to ACK section's heading, explanation and table header. */
  private static void appendPushToAckHeader(StringBuilder md) {
    md.append("### Push to ACK\n\n")
        .append("Each change is committed to the store; times run from the start of the commit ")
        .append("call; *commit*: until it returned (the embedded store has written and forced ")
        .append(
            "its file, etcd has committed). *last ACK*: until the last simulated node sent its ACK, the headline ")
        .append("figure. *fleet view*: until the replica had recorded every node on the new ")
        .append("version in the fleet status `wharfctl` lists. Percentiles over the measured ")
        .append("changes by nearest rank (with 100 changes p99 is the second largest). ")
        .append("*replica push-to-ACK*: its `wharf_cp_push_to_ack` timer, one value per node ")
        .append("and change, from the push written to the node's stream to its ACK received, ")
        .append("read from histogram buckets (0.1 ms wide below 2 ms, 0.5 ms below 20 ms, ")
        .append("2 ms below 100 ms).\n\n")
        .append("| nodes | per channel | store | routes | config KiB | changes ")
        .append(
            "| commit p50 / max ms | first ACK p50 ms | last ACK p50 ms | last ACK p99 ms | last ACK max ms ")
        .append("| fleet view p50 / p99 ms | replica push-to-ACK p50 / p99 ms | target | met |\n")
        .append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
  }

  /** One run's row of the Push to ACK table. */
  private static void appendPushToAckRow(StringBuilder md, FleetResult r) {
    Samples last = r.lastAck();
    boolean targeted = r.nodes() == TARGET_NODES;
    md.append("| ")
        .append(r.nodes())
        .append(" | ")
        .append(r.nodesPerChannel())
        .append(" | ")
        .append(r.store())
        .append(" | ")
        .append(r.routes())
        .append(" | ")
        .append(fmt(r.configBytes() / 1024.0, 1))
        .append(" | ")
        .append(r.changes().size())
        .append(" | ")
        .append(ms(r.commit().p50Millis()))
        .append(" / ")
        .append(ms(r.commit().maxMillis()))
        .append(" | ")
        .append(ms(r.firstAck().p50Millis()))
        .append(" | ")
        .append(ms(last.p50Millis()))
        .append(" | ")
        .append(ms(last.p99Millis()))
        .append(" | ")
        .append(ms(last.maxMillis()))
        .append(" | ")
        .append(ms(r.recorded().p50Millis()))
        .append(" / ")
        .append(ms(r.recorded().p99Millis()))
        .append(" | ")
        .append(ms(r.replica().p50Millis()))
        .append(" / ")
        .append(ms(r.replica().p99Millis()))
        .append(" | ")
        .append(targeted ? "p99 <= " + fmt(TARGET_ACK_P99_MILLIS, 0) + " ms" : "-")
        .append(" | ")
        .append(targeted ? met(last.p99Millis() <= TARGET_ACK_P99_MILLIS) : "-")
        .append(" |\n");
  }

  /** One run's bullet under the table: connecting, warm-up, and whether every ACK arrived once. */
  private static void appendRunNote(StringBuilder md, FleetResult r) {
    long incomplete =
        r.changes().stream()
            .filter(c -> c.ackedNodes() != r.nodes() || c.duplicateAcks() != 0)
            .count();
    md.append("- ")
        .append(r.nodes())
        .append(" nodes, ")
        .append(r.nodesPerChannel())
        .append(" per channel: all ACKed the first version ")
        .append(r.connected().toMillis())
        .append(" ms after the first connect; ")
        .append(r.warmupChanges())
        .append(" warm-up changes not counted; ")
        .append(
            incomplete == 0
                ? "every node ACKed every measured version exactly once"
                : incomplete + " changes with missing or duplicate ACKs")
        .append("; the replica recorded ")
        .append(r.replica().count())
        .append(" ACKs (mean ")
        .append(ms(r.replica().meanMillis()))
        .append(" ms).\n");
  }

  static String snapshots(List<SnapshotBuild.SizeResult> results, SnapshotBuild.Settings s) {
    StringBuilder md = new StringBuilder();
    appendSnapshotHeader(md, s);
    for (SnapshotBuild.SizeResult r : results) {
      appendSnapshotRow(md, r);
    }
    appendLookupHeader(md, s);
    double smallest = results.isEmpty() ? Double.NaN : results.get(0).lookup().medianNanos();
    double smallestHot = results.isEmpty() ? Double.NaN : results.get(0).hotLookup().medianNanos();
    for (SnapshotBuild.SizeResult r : results) {
      appendLookupRow(md, r, smallest, smallestHot);
    }
    if (results.size() > 1) {
      appendLookupVerdict(md, results.get(results.size() - 1), smallest, smallestHot);
    }
    return md.append('\n').toString();
  }

  /** The Snapshot compile and swap section's heading, explanation and table header. */
  private static void appendSnapshotHeader(StringBuilder md, SnapshotBuild.Settings s) {
    md.append("### Snapshot compile and swap\n\n")
        .append("`DataPlaneNode.apply` (validate, compile upstreams and routing, swap) of a ")
        .append("changed config of each size on a node already running that size, ")
        .append(s.applies())
        .append(" times after ")
        .append(s.warmup())
        .append(" warm-up applies of every size; validate and compile also timed alone. ")
        .append("Up to ")
        .append(s.regexPerHost())
        .append(" regex routes per virtual host.\n\n")
        .append("| routes | hosts | regex routes | config KiB | apply p50 ms | apply p99 ms ")
        .append("| apply max ms | validate p50 ms | compile p50 ms | target | met |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
  }

  /** One size's row of the Snapshot compile and swap table. */
  private static void appendSnapshotRow(StringBuilder md, SnapshotBuild.SizeResult r) {
    boolean targeted = r.routes() == TARGET_ROUTES;
    md.append("| ")
        .append(r.routes())
        .append(" | ")
        .append(r.hosts())
        .append(" | ")
        .append(r.regexRoutes())
        .append(" | ")
        .append(fmt(r.configBytes() / 1024.0, 1))
        .append(" | ")
        .append(ms(r.apply().p50Millis()))
        .append(" | ")
        .append(ms(r.apply().p99Millis()))
        .append(" | ")
        .append(ms(r.apply().maxMillis()))
        .append(" | ")
        .append(ms(r.validate().p50Millis()))
        .append(" | ")
        .append(ms(r.compile().p50Millis()))
        .append(" | ")
        .append(targeted ? "p99 <= " + fmt(TARGET_APPLY_MILLIS, 0) + " ms" : "-")
        .append(" | ")
        .append(targeted ? met(r.apply().p99Millis() <= TARGET_APPLY_MILLIS) : "-")
        .append(" |\n");
  }

  /** The Route lookup section's heading, explanation and table header. */
  private static void appendLookupHeader(StringBuilder md, SnapshotBuild.Settings s) {
    md.append("\n### Route lookup\n\n")
        .append("`RoutingTable.select(listener, host, path)` over ")
        .append(s.lookupSamples())
        .append(" requests in random order (40% plain prefixes, 20% exact, 10% `^~`, 15% regex, ")
        .append("15% falling through to the catch-all `/`, over the same eight host names at ")
        .append("every size), each checked once to reach its intended route; *spread*: all of ")
        .append("them, so lookups touch the whole table; *hot set*: the first ")
        .append(s.lookupHotSet())
        .append(" of them over and over, so the part of the table ")
        .append("they use stays in the CPU caches and only the work per lookup is left. ")
        .append("A timed loop, not JMH (not available offline): ")
        .append(s.lookupRounds())
        .append(" rounds after ")
        .append(s.lookupWarmup().toMillis())
        .append(" ms of warm-up, every size and set in each ")
        .append("round (order rotating), about ")
        .append(s.lookupRoundTime().toMillis())
        .append(" ms each; the chosen routes' indexes are summed into a volatile sink so no ")
        .append("lookup can be optimized away.\n\n")
        .append("| routes | spread: ns per lookup, median of rounds | fastest / slowest round ")
        .append("| vs smallest | hot set: ns per lookup | fastest / slowest round ")
        .append("| vs smallest |\n|---:|---:|---:|---:|---:|---:|---:|\n");
  }

  /** One size's row of the Route lookup table, its medians relative to the smallest size's. */
  private static void appendLookupRow(
      StringBuilder md, SnapshotBuild.SizeResult r, double smallest, double smallestHot) {
    LookupTimer.Result l = r.lookup();
    LookupTimer.Result h = r.hotLookup();
    md.append("| ")
        .append(r.routes())
        .append(" | ")
        .append(fmt(l.medianNanos(), 1))
        .append(" | ")
        .append(fmt(l.minNanos(), 1))
        .append(" / ")
        .append(fmt(l.maxNanos(), 1))
        .append(" | ")
        .append(fmt(l.medianNanos() / smallest, 2))
        .append(" | ")
        .append(fmt(h.medianNanos(), 1))
        .append(" | ")
        .append(fmt(h.minNanos(), 1))
        .append(" / ")
        .append(fmt(h.maxNanos(), 1))
        .append(" | ")
        .append(fmt(h.medianNanos() / smallestHot, 2))
        .append(" |\n");
  }

  /** Whether the largest table's lookups stayed within {@link #LOOKUP_RATIO_LIMIT}. */
  private static void appendLookupVerdict(
      StringBuilder md, SnapshotBuild.SizeResult largest, double smallest, double smallestHot) {
    double spread = largest.lookup().medianNanos() / smallest;
    double hot = largest.hotLookup().medianNanos() / smallestHot;
    md.append("\nLookup time independent of route count (target; read as: the largest ")
        .append("table's median at most ")
        .append(fmt(LOOKUP_RATIO_LIMIT, 1))
        .append(" times the smallest's): hot set ")
        .append(fmt(hot, 2))
        .append(", ")
        .append(met(hot <= LOOKUP_RATIO_LIMIT))
        .append("; spread ")
        .append(fmt(spread, 2))
        .append(", ")
        .append(met(spread <= LOOKUP_RATIO_LIMIT))
        .append(".\n");
  }

  private static String met(boolean met) {
    return met ? "yes" : "**no**";
  }

  private static String ms(double millis) {
    return fmt(millis, millis < 10 ? 2 : 1);
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
