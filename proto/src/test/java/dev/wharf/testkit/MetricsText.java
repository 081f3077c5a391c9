package dev.wharf.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A Prometheus text exposition ({@code /metrics}) read as a scraper reads it: one sample per line,
 * {@code name{label="value",...} value}, comments and blank lines skipped, label values unescaped
 * ({@code \\}, {@code \"}, {@code \n}). The one parser every module's tests use.
 */
public final class MetricsText {
  /** One line of the exposition. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      labels = Map.copyOf(labels);
    }

    /** Whether every one of {@code wanted} is among this sample's labels, with that value. */
    public boolean has(Map<String, String> wanted) {
      return wanted.entrySet().stream().allMatch(w -> w.getValue().equals(labels.get(w.getKey())));
    }
  }

  private final String text;
  private final List<Sample> samples;

  private MetricsText(String text, List<Sample> samples) {
    this.text = text;
    this.samples = List.copyOf(samples);
  }

  /** Parses {@code text}; a line that is not a sample fails with the line. */
  public static MetricsText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        samples.add(sample(l));
      }
    }
    return new MetricsText(text, samples);
  }

  /** The text as scraped (for failure messages). */
  public String text() {
    return text;
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The samples of metric {@code name}. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the first sample of {@code name} (any labels); fails when there is none. */
  public double value(String name) {
    return find(name, Map.of())
        .orElseThrow(() -> new AssertionError("no " + name + " in\n" + text));
  }

  /**
   * The value of the first sample of {@code name} whose labels include {@code labels}; empty when
   * there is none.
   */
  public OptionalDouble find(String name, Map<String, String> labels) {
    return samples(name).stream().filter(s -> s.has(labels)).mapToDouble(Sample::value).findFirst();
  }

  /**
   * The value of the sample written exactly as {@code series} is in the exposition, e.g. {@code
   * wharf_drain_closes_total{reason="endpoint_removed"}} (the same name and the same labels, no
   * more); empty when there is none.
   */
  public OptionalDouble find(String series) {
    Sample wanted = sample(series + " 0");
    return samples(wanted.name()).stream()
        .filter(s -> s.labels().equals(wanted.labels()))
        .mapToDouble(Sample::value)
        .findFirst();
  }

  /** The sum over the samples of {@code name} whose labels include {@code labels}; 0 for none. */
  public double sum(String name, Map<String, String> labels) {
    return samples(name).stream().filter(s -> s.has(labels)).mapToDouble(Sample::value).sum();
  }

  /** Whether the exposition has exactly this line. */
  public boolean hasLine(String line) {
    return text.lines().anyMatch(line::equals);
  }

  /** The lines that start with {@code prefix} (a metric's family), for failure messages. */
  public String family(String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.joining("\n"));
  }

  /** Each metric name with the names of the labels its samples carry. */
  public Map<String, Set<String>> labelNames() {
    Map<String, Set<String>> names = new TreeMap<>();
    for (Sample s : samples) {
      names.computeIfAbsent(s.name(), k -> new TreeSet<>()).addAll(s.labels().keySet());
    }
    return names;
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    if (space < 0) {
      throw new AssertionError("not a sample: " + line);
    }
    if (brace < 0 || brace > space) {
      return new Sample(line.substring(0, space), Map.of(), number(line, space + 1));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    int i = brace + 1;
    while (line.charAt(i) != '}') {
      int eq = line.indexOf("=\"", i);
      if (eq < 0) {
        throw new AssertionError("not a sample: " + line);
      }
      String key = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (char c = line.charAt(j); c != '"'; c = line.charAt(j)) {
        if (c == '\\') {
          char next = line.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
        j++;
      }
      labels.put(key, value.toString());
      i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
    }
    return new Sample(line.substring(0, brace), labels, number(line, i + 2));
  }

  private static double number(String line, int from) {
    String value = line.substring(from).strip();
    int timestamp = value.indexOf(' ');
    value = timestamp < 0 ? value : value.substring(0, timestamp);
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }
}
