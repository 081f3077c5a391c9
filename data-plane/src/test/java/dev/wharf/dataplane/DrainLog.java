package dev.wharf.dataplane;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a node's drain from its own log (run with {@code -Dwharf.log.drain=DEBUG}), so a test
 * measures when the node closed each connection on the node's clock, not when a client thread of a
 * busy test JVM got round to noticing.
 */
final class DrainLog {
  /** The JVM option that makes the node log a line per close. */
  static final String DEBUG = "-Dwharf.log.drain=DEBUG";

  private static final Pattern CLOSE =
      Pattern.compile("drain: closing a connection \\((\\w+)\\) (\\d+) us after the decision");

  private DrainLog() {}

  /**
   * The delay of each close for {@code reason} after the decision that called for it, in log order.
   */
  static List<Long> closeDelaysMicros(String output, String reason) {
    List<Long> delays = new ArrayList<>();
    Matcher m = CLOSE.matcher(output);
    while (m.find()) {
      if (m.group(1).equals(reason)) {
        delays.add(Long.parseLong(m.group(2)));
      }
    }
    return delays;
  }

  /** The position of the first line containing {@code fragment}; fails when there is none. */
  static int lineIndex(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    throw new AssertionError("no line containing '" + fragment + "':\n" + String.join("\n", lines));
  }

  /** The timestamp a log line starts with (the node's logback pattern: ISO-8601 with offset). */
  static OffsetDateTime timestamp(String line) {
    return OffsetDateTime.parse(line.substring(0, line.indexOf(' ')));
  }
}
