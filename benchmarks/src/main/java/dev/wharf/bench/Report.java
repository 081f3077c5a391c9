package dev.wharf.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Renders what benchmarks/run.sh measured as Markdown: per scenario the medians of every proxy over
 * the rounds, each Wharf build against nginx (tuned for upstream keep-alive) and HAProxy, and
 * against the first Wharf build when there are several; then every measurement, the machine and the
 * notes.
 *
 * <p>Input lines are tab-separated: a {@link Measurement} ({@link Measurement#COLUMNS}), {@code
 * info KEY VALUE} for the run's settings, {@code note TEXT} for what the reader must know, {@code
 * #} for a comment. Usage: {@code report RESULTS.tsv MACHINE.txt}.
 */
final class Report {
  static final String NGINX = "nginx";
  static final String NGINX_SEEDS = "nginx-seeds";
  static final String HAPROXY = "haproxy";

  private final List<Measurement> measurements = new ArrayList<>();
  private final Map<String, String> info = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  static Report parse(List<String> lines) {
    Report report = new Report();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f[0].equals("note") && f.length == 2) {
        report.notes.add(f[1]);
      } else if (f[0].equals("info") && f.length == 3) {
        report.info.put(f[1], f[2]);
      } else {
        report.measurements.add(Measurement.parse(f, line));
      }
    }
    return report;
  }

  /** The proxies in the order they were first measured, baselines first. */
  List<String> proxies() {
    Set<String> seen = new LinkedHashSet<>();
    for (String baseline : List.of(NGINX, NGINX_SEEDS, HAPROXY)) {
      if (measurements.stream().anyMatch(m -> m.proxy().equals(baseline))) {
        seen.add(baseline);
      }
    }
    measurements.forEach(m -> seen.add(m.proxy()));
    return List.copyOf(seen);
  }

  /** The Wharf builds: every proxy that is not a baseline. */
  List<String> wharfs() {
    return proxies().stream()
        .filter(p -> !p.equals(NGINX) && !p.equals(NGINX_SEEDS) && !p.equals(HAPROXY))
        .toList();
  }

  OptionalDouble median(String scenario, String proxy, ToDoubleFunction<Measurement> metric) {
    double[] sorted =
        runs(scenario, proxy).stream()
            .filter(Measurement::measured)
            .mapToDouble(metric)
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toArray();
    if (sorted.length == 0) {
      return OptionalDouble.empty();
    }
    int mid = sorted.length / 2;
    return OptionalDouble.of(
        sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
  }

  /**
   * A ratio is only given when both ran every round without an error: a failing proxy can look
   * fast.
   */
  String ratio(Scenario s, String proxy, String base, ToDoubleFunction<Measurement> metric) {
    List<Measurement> a = runs(s.id(), proxy);
    List<Measurement> b = runs(s.id(), base);
    if (a.isEmpty() || b.isEmpty()) {
      return "-";
    }
    if (!clean(a) || !clean(b)) {
      return "n/a: errors";
    }
    OptionalDouble x = median(s.id(), proxy, metric);
    OptionalDouble y = median(s.id(), base, metric);
    if (x.isEmpty() || y.isEmpty() || y.getAsDouble() <= 0) {
      return "-";
    }
    return format(x.getAsDouble() / y.getAsDouble(), 2);
  }

  private static boolean clean(List<Measurement> runs) {
    return runs.stream().allMatch(m -> m.measured() && m.errors() == 0);
  }

  List<Measurement> runs(String scenario, String proxy) {
    return measurements.stream()
        .filter(m -> m.scenario().equals(scenario) && m.proxy().equals(proxy))
        .toList();
  }

  String render(String machine) {
    StringBuilder md = new StringBuilder();
    md.append("## Wharf, nginx and HAProxy: same machine, same run\n\n");
    info.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append('\n');
    new ReportSummary(this).render(md);
    renderMeasurements(md);
    md.append("### Machine\n\n```\n").append(machine.strip()).append("\n```\n");
    if (!notes.isEmpty()) {
      md.append("\n### Notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  private void renderMeasurements(StringBuilder md) {
    md.append("### Each measurement\n\n")
        .append("CPU in cores: utime + stime over the measured window divided by its seconds.")
        .append(" Others: the machine's busy CPU minus proxy, origin and client.\n\n")
        .append("| round | order | scenario | proxy | value | p99 ms | errors | proxy CPU µs each")
        .append(
            " | proxy cores | origin cores | client cores | others cores | load avg | detail |\n")
        .append("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Measurement m : measurements) {
      md.append("| ").append(String.join(" | ", m.cells())).append(" |\n");
    }
    md.append('\n');
  }

  static String format(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
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
