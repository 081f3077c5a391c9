package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What a user who types a duration on any Wharf command line gets back. */
class DurationFlagsTest {
  @Command(name = "t")
  static final class Options {
    @Option(names = "--timeout", converter = DurationFlags.Positive.class)
    Duration timeout;

    @Option(names = "--grace", converter = DurationFlags.NonNegative.class)
    Duration grace;
  }

  @Test
  void durationsAreReadAsConfigFilesWriteThem() {
    Options o = parse("--timeout", "1m30s", "--grace", " 0s ");
    assertEquals(Duration.ofSeconds(90), o.timeout);
    assertEquals(Duration.ZERO, o.grace);
    assertEquals(Duration.ofMillis(500), parse("--timeout", "500ms").timeout);
  }

  @Test
  void aBadValueIsNamedWithItsOptionAndTheReason() {
    assertEquals(
        "Invalid value for option '--timeout': '0s' (expected: > 0)", error("--timeout", "0s"));
    assertEquals(
        "Invalid value for option '--grace': '-1s' (expected: >= 0)", error("--grace", "-1s"));
    assertEquals(
        "Invalid value for option '--timeout': " + new IllegalArgumentHolder("5 parsecs").message(),
        error("--timeout", "5 parsecs"));
  }

  private static Options parse(String... args) {
    Options o = new Options();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  private static String error(String... args) {
    return assertThrows(CommandLine.ParameterException.class, () -> parse(args)).getMessage();
  }

  /** The parser's own message for a value it cannot read, which the flag passes on unchanged. */
  private record IllegalArgumentHolder(String value) {
    String message() {
      return assertThrows(IllegalArgumentException.class, () -> Durations.parse(value))
          .getMessage();
    }
  }
}
