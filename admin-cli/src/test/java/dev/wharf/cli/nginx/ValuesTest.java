package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.Durations;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void timesAreReadAsNginxReadsThemWithABareNumberInSeconds() {
    assertEquals(Optional.of("5s"), time("5"));
    assertEquals(Optional.of("300ms"), time("300ms"));
    assertEquals(Optional.of("1h30m"), time("1h30m"));
    assertEquals(Optional.of("1h30m"), time("1h 30m"));
    assertEquals(Optional.of("1m30s"), time("1m30"));
    assertEquals(Optional.of("7d"), time("1w"));
    assertEquals(Optional.of("30d"), time("1M"));
  }

  @Test
  void textNginxWouldRefuseIsNoTime() {
    assertEquals(Optional.empty(), time(""));
    assertEquals(Optional.empty(), time("30x"));
    assertEquals(Optional.empty(), time("s"));
    assertEquals(Optional.empty(), time("5 minutes"));
  }

  private static Optional<String> time(String text) {
    return Values.time(text).map(Durations::format);
  }
}
