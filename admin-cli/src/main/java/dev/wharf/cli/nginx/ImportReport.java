package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Verdict.Kind;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an import says about the directives it did not simply translate, one line each: {@code
 * site.conf:12: fastcgi_pass unix:/run/php.sock -- why}. A block reported as a whole stands for the
 * directives inside it. The same lines head the YAML (as comments) and go to stderr.
 */
public final class ImportReport {
  private static final int LONGEST_TEXT = 70;

  private final List<Finding> findings;
  private final Map<Directive, Integer> inside = new IdentityHashMap<>();

  public ImportReport(List<Finding> findings) {
    this.findings = List.copyOf(findings);
    for (Finding f : findings) {
      if (f.block() != null) {
        inside.merge(f.block(), 1, Integer::sum);
      }
    }
  }

  /**
   * The lines of the directives with this verdict that are reported on their own. A file included
   * in several places has one line per directive, saying how often it was read.
   */
  public List<String> lines(Kind kind) {
    Map<String, Integer> lines = new LinkedHashMap<>();
    for (Finding f : findings) {
      if (f.block() == null && f.verdict().kind() == kind) {
        lines.merge(line(f), 1, Integer::sum);
      }
    }
    List<String> out = new ArrayList<>();
    lines.forEach(
        (line, times) ->
            out.add(
                times == 1
                    ? line
                    : line + " (in each of the " + times + " places its file is included)"));
    return out;
  }

  /** The comment block that starts the imported YAML. */
  public String header(String source) {
    StringBuilder out = new StringBuilder();
    out.append("# Imported from ").append(source).append(" by wharfctl import-nginx.\n");
    out.append("# Read the lists below, then check the result with `wharfctl validate -f`.\n");
    section(out, Kind.NOT_TRANSLATED, "not translated (nothing below does what it asks)");
    section(out, Kind.CHECK, "translated with a difference to check by hand");
    section(out, Kind.NOT_NEEDED, "not needed by Wharf");
    return out.append("\n").toString();
  }

  /** The same lists for stderr, without the directives that are not needed. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    List<String> notTranslated = lines(Kind.NOT_TRANSLATED);
    if (!notTranslated.isEmpty()) {
      out.add("warning: " + count(notTranslated.size()) + " not translated:");
      notTranslated.forEach(l -> out.add("  " + l));
    }
    List<String> check = lines(Kind.CHECK);
    if (!check.isEmpty()) {
      out.add("note: " + count(check.size()) + " translated with a difference to check:");
      check.forEach(l -> out.add("  " + l));
    }
    return out;
  }

  private void section(StringBuilder out, Kind kind, String title) {
    List<String> lines = lines(kind);
    out.append("#\n# ")
        .append(count(lines.size()))
        .append(' ')
        .append(title)
        .append(lines.isEmpty() ? ".\n" : ":\n");
    lines.forEach(l -> out.append("#   ").append(l).append('\n'));
  }

  private String line(Finding f) {
    Directive d = f.directive();
    String text = d.text();
    if (text.length() > LONGEST_TEXT) {
      text = text.substring(0, LONGEST_TEXT - 3) + "...";
    }
    int covered = inside.getOrDefault(d, 0);
    return d.origin()
        + ": "
        + text
        + (d.isBlock() ? " {...}" : "")
        + " -- "
        + f.verdict().reason()
        + (covered == 0 ? "" : " (with the " + count(covered) + " inside)");
  }

  private static String count(int n) {
    return n + (n == 1 ? " directive" : " directives");
  }
}
