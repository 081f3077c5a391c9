package dev.wharf.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One measurement of benchmarks/run.sh: one scenario on one freshly started proxy in one round, a
 * tab-separated line of {@link #COLUMNS}. "-" stands for what could not be measured: a value of "-"
 * means the measurement failed.
 */
record Measurement(
    int round,
    String scenario,
    String proxy,
    double value,
    double p99Ms,
    long errors,
    double cpuUs,
    double proxyCores,
    double originCores,
    List<String> fields) {

  static final List<String> COLUMNS =
      List.of(
          "round",
          "slot",
          "scenario",
          "proxy",
          "value",
          "p99_ms",
          "errors",
          "count",
          "proxy_cpu_us",
          "proxy_cores",
          "origin_cores",
          "client_cores",
          "others_cores",
          "load1",
          "detail");

  Measurement {
    fields = List.copyOf(fields);
  }

  static Measurement parse(String[] f, String line) {
    if (f.length != COLUMNS.size() || !f[0].matches("\\d+")) {
      throw new IllegalArgumentException(
          "not a result line (" + COLUMNS.size() + " tab-separated fields expected): " + line);
    }
    try {
      return new Measurement(
          Integer.parseInt(f[0]),
          f[2],
          f[3],
          number(f[4]),
          number(f[5]),
          f[6].equals("-") ? 0 : Long.parseLong(f[6]),
          number(f[8]),
          number(f[9]),
          number(f[10]),
          Arrays.asList(f));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a result line: " + line, e);
    }
  }

  private static double number(String field) {
    return field.equals("-") ? Double.NaN : Double.parseDouble(field);
  }

  boolean measured() {
    return !Double.isNaN(value);
  }

  /** The cells of the per-measurement table: every field but the count. */
  List<String> cells() {
    List<String> cells = new ArrayList<>(fields);
    cells.remove(COLUMNS.indexOf("count"));
    return cells;
  }
}
