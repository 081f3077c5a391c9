package dev.wharf.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the results benchmarks/run.sh collected as Markdown: a summary of medians with
 * Wharf/nginx ratios, every round, the errors, the machine and the notes.
 *
 * <p>Input lines are tab-separated: {@code ROUND PROXY METRIC VALUE} for a measurement, {@code info
 * KEY VALUE} for the run's settings, {@code note TEXT} for anything the reader must know (such as a
 * Wharf build that cannot proxy yet). Usage: {@code report RESULTS.tsv MACHINE.txt}.
 */
final class Report {
  static final String NGINX = "nginx";
  static final String WHARF = "wharf";

  /** A summary row: nginx's metric against Wharf's, and which direction is better. */
  private record Row(
      String test, boolean higherIsBetter, String nginxMetric, String wharfMetric, String target) {}

  private static final List<Row> SUMMARY =
      List.of(
          new Row("HTTP requests/s (nginx as in the seeds)", true, "http_rps", "http_rps", ">= 1"),
          new Row(
              "HTTP p99 latency, ms (nginx as in the seeds)",
              false,
              "http_p99_ms",
              "http_p99_ms",
              "<= 1"),
          new Row(
              "HTTP requests/s (nginx with upstream keep-alive)",
              true,
              "http_ka_rps",
              "http_rps",
              ">= 1"),
          new Row(
              "HTTP p99 latency, ms (nginx with upstream keep-alive)",
              false,
              "http_ka_p99_ms",
              "http_p99_ms",
              "<= 1"),
          new Row("WebSocket echo messages/s", true, "ws_mps", "ws_mps", ">= 1"),
          new Row("WebSocket echo p99 round trip, ms", false, "ws_p99_ms", "ws_p99_ms", "<= 1"),
          new Row(
              "Idle WebSocket memory per connection, KiB", false, "idle_kib", "idle_kib", "< 1"));

  /** Per-round columns: metric and heading. */
  private static final Map<String, String> ROUND_COLUMNS =
      columns(
          "http_rps", "HTTP req/s",
          "http_p99_ms", "HTTP p99 ms",
          "http_ka_rps", "HTTP req/s, upstream keep-alive",
          "http_ka_p99_ms", "its p99 ms",
          "ws_mps", "WS msg/s",
          "ws_p99_ms", "WS p99 ms",
          "idle_kib", "idle KiB/conn",
          "idle_rss_kib", "of which RSS",
          "idle_heap_kib", "of which live heap",
          "idle_rss_before_mib", "RSS before idle, MiB",
          "idle_rss_after_mib", "RSS with idle WS, MiB");

  private static final List<String> ERROR_METRICS =
      List.of("http_errors", "http_ka_errors", "ws_errors", "idle_errors");

  private final Map<String, Map<String, TreeMap<Integer, Double>>> values = new LinkedHashMap<>();
  private final Map<String, String> info = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  static Report parse(List<String> lines) {
    Report report = new Report();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f[0].equals("note") && f.length == 2) {
        report.notes.add(f[1]);
      } else if (f[0].equals("info") && f.length == 3) {
        report.info.put(f[1], f[2]);
      } else if (f.length == 4 && f[0].matches("\\d+")) {
        report
            .values
            .computeIfAbsent(f[1], p -> new LinkedHashMap<>())
            .computeIfAbsent(f[2], m -> new TreeMap<>())
            .put(Integer.parseInt(f[0]), Double.parseDouble(f[3]));
      } else {
        throw new IllegalArgumentException("not a result line: " + line);
      }
    }
    return report;
  }

  OptionalDouble median(String proxy, String metric) {
    TreeMap<Integer, Double> byRound = values.getOrDefault(proxy, Map.of()).get(metric);
    if (byRound == null || byRound.isEmpty()) {
      return OptionalDouble.empty();
    }
    double[] sorted = byRound.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return OptionalDouble.of(
        sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
  }

  String render(String machine) {
    StringBuilder md = new StringBuilder();
    md.append("## Wharf vs nginx: same machine, same run\n\n");
    info.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append('\n');
    renderSummary(md);
    renderRounds(md);
    md.append("### Machine\n\n```\n").append(machine.strip()).append("\n```\n");
    if (!notes.isEmpty()) {
      md.append("\n### Notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  private void renderSummary(StringBuilder md) {
    int rounds = rounds().size();
    md.append("### Summary (median of ")
        .append(rounds)
        .append(rounds == 1 ? " round" : " rounds")
        .append(")\n\n")
        .append("Requests/s and messages/s: higher is better, so a ratio above 1 favours Wharf. ")
        .append("Latency and memory: lower is better, so a ratio below 1 favours Wharf. ")
        .append("Targets: docs/performance.md, \"Targets\".\n\n")
        .append("| test | better | nginx | Wharf | Wharf / nginx | target |\n")
        .append("|---|---|---:|---:|---:|---|\n");
    for (Row row : SUMMARY) {
      OptionalDouble nginx = median(NGINX, row.nginxMetric());
      OptionalDouble wharf = median(WHARF, row.wharfMetric());
      String ratio =
          nginx.isPresent() && wharf.isPresent() && nginx.getAsDouble() > 0
              ? format(wharf.getAsDouble() / nginx.getAsDouble(), 2)
              : "n/a";
      md.append("| ")
          .append(row.test())
          .append(" | ")
          .append(row.higherIsBetter() ? "higher" : "lower")
          .append(" | ")
          .append(formatMetric(row.nginxMetric(), nginx))
          .append(" | ")
          .append(formatMetric(row.wharfMetric(), wharf))
          .append(" | ")
          .append(ratio)
          .append(" | ")
          .append(row.target())
          .append(" |\n");
    }
    md.append(
            "| errors, all rounds (failed requests, failed handshakes, abnormal closes) | lower | ")
        .append(errorTotal(NGINX))
        .append(" | ")
        .append(errorTotal(WHARF))
        .append(" | | 0 |\n\n");
  }

  private void renderRounds(StringBuilder md) {
    md.append("### Per round\n\n| round | proxy |");
    ROUND_COLUMNS.values().forEach(h -> md.append(' ').append(h).append(" |"));
    md.append(" errors |\n|---|---|");
    ROUND_COLUMNS.keySet().forEach(h -> md.append("---:|"));
    md.append("---:|\n");
    for (int round : rounds()) {
      for (String proxy : List.of(NGINX, WHARF)) {
        Map<String, TreeMap<Integer, Double>> metrics = values.getOrDefault(proxy, Map.of());
        md.append("| ").append(round).append(" | ").append(proxy).append(" |");
        for (String metric : ROUND_COLUMNS.keySet()) {
          Double v = metrics.getOrDefault(metric, new TreeMap<>()).get(round);
          md.append(' ')
              .append(v == null ? "-" : formatMetric(metric, OptionalDouble.of(v)))
              .append(" |");
        }
        md.append(' ').append(errors(proxy, round)).append(" |\n");
      }
    }
    md.append('\n');
  }

  private TreeSet<Integer> rounds() {
    TreeSet<Integer> rounds = new TreeSet<>();
    values.values().forEach(m -> m.values().forEach(r -> rounds.addAll(r.keySet())));
    return rounds;
  }

  private String errors(String proxy, int round) {
    Map<String, TreeMap<Integer, Double>> metrics = values.getOrDefault(proxy, Map.of());
    boolean any = false;
    long sum = 0;
    for (String metric : ERROR_METRICS) {
      Double v = metrics.getOrDefault(metric, new TreeMap<>()).get(round);
      if (v != null) {
        any = true;
        sum += Math.round(v);
      }
    }
    return any ? Long.toString(sum) : "-";
  }

  private String errorTotal(String proxy) {
    Map<String, TreeMap<Integer, Double>> metrics = values.getOrDefault(proxy, Map.of());
    boolean any = false;
    long sum = 0;
    for (String metric : ERROR_METRICS) {
      for (double v : metrics.getOrDefault(metric, new TreeMap<>()).values()) {
        any = true;
        sum += Math.round(v);
      }
    }
    return any ? Long.toString(sum) : "n/a";
  }

  private static String formatMetric(String metric, OptionalDouble value) {
    if (value.isEmpty()) {
      return "n/a";
    }
    double v = value.getAsDouble();
    if (metric.endsWith("_ms")) {
      return format(v, v < 10 ? 3 : 1);
    }
    if (metric.endsWith("_kib") || metric.endsWith("_mib")) {
      return format(v, 1);
    }
    return format(v, 0);
  }

  private static String format(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static Map<String, String> columns(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: report RESULTS.tsv MACHINE.txt");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    String machine = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(parse(lines).render(machine));
    out.flush();
  }
}
