package dev.wharf.bench.fleet;

import dev.wharf.bench.fleet.VersionTimeline.Stage;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The fleet report's timeline table: for each stage a version passes between its commit call and
 * the fleet view, p50 / p99 over the measured changes of the time since the commit call started,
 * one column per run.
 */
final class TimelineMarkdown {
  private record Row(String label, Function<FleetResult, Samples> samples) {}

  private static final List<Row> ROWS =
      List.of(
          new Row("commit call returns", FleetResult::commit),
          new Row(Stage.WATCH_SEEN.label, r -> r.stage(Stage.WATCH_SEEN, false)),
          new Row(Stage.PUBLISHED.label, r -> r.stage(Stage.PUBLISHED, true)),
          new Row("first " + Stage.NODE_RECEIVED.label, r -> r.stage(Stage.NODE_RECEIVED, false)),
          new Row("last " + Stage.NODE_RECEIVED.label, r -> r.stage(Stage.NODE_RECEIVED, true)),
          new Row("first " + Stage.ACK_SENT.label, r -> r.stage(Stage.ACK_SENT, false)),
          new Row("last " + Stage.ACK_SENT.label + " (*last ACK*)", FleetResult::lastAck),
          new Row("first " + Stage.REPLICA_ACKED.label, r -> r.stage(Stage.REPLICA_ACKED, false)),
          new Row("last " + Stage.REPLICA_ACKED.label, r -> r.stage(Stage.REPLICA_ACKED, true)),
          new Row("first " + Stage.BATCH_START.label, r -> r.stage(Stage.BATCH_START, false)),
          new Row("last " + Stage.BATCH_START.label, r -> r.stage(Stage.BATCH_START, true)),
          new Row("last " + Stage.BATCH_END.label + " (*fleet view*)", FleetResult::recorded),
          new Row("status batches per version (count)", FleetResult::batches),
          new Row("nodes' decoding, summed over the nodes", FleetResult::nodeParsing));

  private TimelineMarkdown() {}

  static String table(List<FleetResult> results) {
    StringBuilder md = new StringBuilder("### Where the time goes\n\n");
    md.append("Each stage's time since the commit call started, p50 / p99 ms over the measured ")
        .append("changes (a version's first or last node, batch or ACK as named). Node times ")
        .append("come from the simulated nodes (*receives*: their gRPC client starts to decode ")
        .append(
            "the push, as a real node's `PushDecoder` does); replica times from its store (its watch's listener, its status ")
        .append("writes, and the `updated_at` it stamps on a status when it handles an ACK).\n\n")
        .append("| stage |");
    for (FleetResult r : results) {
      md.append(' ').append(r.nodes()).append(" nodes (").append(r.store()).append(") |");
    }
    md.append("\n|---|").append("---:|".repeat(results.size())).append('\n');
    md.append("| replica: validate, fan out (mean of `wharf_cp_publish`) |");
    for (FleetResult r : results) {
      md.append(' ')
          .append(ms(r.validateMeanMillis()))
          .append(", ")
          .append(ms(r.fanOutMeanMillis()))
          .append(" |");
    }
    md.append('\n');
    for (Row row : ROWS) {
      md.append("| ").append(row.label()).append(" |");
      for (FleetResult r : results) {
        Samples s = row.samples().apply(r);
        md.append(' ').append(ms(s.p50Millis())).append(" / ").append(ms(s.p99Millis()));
        md.append(" |");
      }
      md.append('\n');
    }
    return md.append('\n').toString();
  }

  /** Negative: the stage was never seen (the file store has no batches with versions, say). */
  private static String ms(double millis) {
    return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f", millis);
  }
}
