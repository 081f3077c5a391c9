package dev.wharf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * The report's summary table: a row per figure of each measured scenario, a column per proxy
 * (medians over the rounds), then each Wharf build's ratio to nginx, to HAProxy and to the first
 * Wharf build.
 */
final class ReportSummary {
  private final Report report;
  private final List<String> proxies;
  private final List<String> wharfs;
  private final List<String[]> ratioColumns = new ArrayList<>();

  ReportSummary(Report report) {
    this.report = report;
    this.proxies = report.proxies();
    this.wharfs = report.wharfs();
    for (String wharf : wharfs) {
      for (String base : List.of(Report.NGINX, Report.HAPROXY)) {
        if (proxies.contains(base)) {
          ratioColumns.add(new String[] {wharf, base});
        }
      }
    }
    for (String wharf : wharfs.subList(Math.min(1, wharfs.size()), wharfs.size())) {
      ratioColumns.add(new String[] {wharf, wharfs.get(0)});
    }
  }

  void render(StringBuilder md) {
    md.append("### Summary (medians over the rounds)\n\n")
        .append("`nginx` is tuned for upstream keep-alive (the yardstick); `nginx-seeds` is nginx")
        .append(" as the seeds configure it (`Connection: close` upstream), HTTP only. A ratio")
        .append(" is given only where both proxies measured every round without an error.\n\n")
        .append("| figure | better |");
    proxies.forEach(p -> md.append(' ').append(p).append(" |"));
    ratioColumns.forEach(c -> md.append(' ').append(c[0]).append(" / ").append(c[1]).append(" |"));
    md.append("\n|---|---|");
    proxies.forEach(p -> md.append("---:|"));
    ratioColumns.forEach(c -> md.append("---:|"));
    md.append('\n');
    for (Scenario s : Scenario.ALL) {
      if (proxies.stream().allMatch(p -> report.runs(s.id(), p).isEmpty())) {
        continue;
      }
      String better = s.higherIsBetter() ? "higher" : "lower";
      row(md, s, s.title() + ", " + s.unit(), better, Measurement::value, s.valueDecimals());
      if (s.p99Of() != null) {
        row(md, s, s.title() + ": " + s.p99Of() + " p99, ms", "lower", Measurement::p99Ms, 2);
      }
      if (s.per() != null) {
        row(
            md,
            s,
            s.title() + ": proxy CPU per " + s.per() + ", µs",
            "lower",
            Measurement::cpuUs,
            1);
        row(md, s, s.title() + ": proxy CPU, cores", "lower", Measurement::proxyCores, 2);
        row(md, s, s.title() + ": origin CPU, cores", "-", Measurement::originCores, 2);
      }
      errorRow(md, s);
    }
    md.append('\n');
  }

  private void row(
      StringBuilder md,
      Scenario s,
      String label,
      String better,
      ToDoubleFunction<Measurement> metric,
      int decimals) {
    md.append("| ").append(label).append(" | ").append(better).append(" |");
    for (String proxy : proxies) {
      OptionalDouble median = report.median(s.id(), proxy, metric);
      md.append(' ')
          .append(median.isPresent() ? Report.format(median.getAsDouble(), decimals) : "-")
          .append(" |");
    }
    for (String[] c : ratioColumns) {
      String ratio = better.equals("-") ? "" : report.ratio(s, c[0], c[1], metric);
      md.append(' ').append(ratio).append(" |");
    }
    md.append('\n');
  }

  private void errorRow(StringBuilder md, Scenario s) {
    md.append("| ").append(s.title()).append(": errors and failed runs, all rounds | lower |");
    for (String proxy : proxies) {
      List<Measurement> runs = report.runs(s.id(), proxy);
      long errors = runs.stream().mapToLong(Measurement::errors).sum();
      long failed = runs.stream().filter(m -> !m.measured()).count();
      md.append(' ')
          .append(runs.isEmpty() ? "-" : errors + (failed > 0 ? " (" + failed + " failed)" : ""))
          .append(" |");
    }
    ratioColumns.forEach(c -> md.append(" |"));
    md.append('\n');
  }
}
