package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Duration;
import dev.wharf.proto.config.v1.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsAndSizesTest {

  @ParameterizedTest(name = "{0} is {1}s + {2}ns, written {3}")
  @CsvSource({
    "30s,      30,     0,          30s",
    "500ms,    0,      500000000,  500ms",
    "1m,       60,     0,          1m",
    "90s,      90,     0,          1m30s",
    "1h30m,    5400,   0,          1h30m",
    "2d,       172800, 0,          2d",
    "1s500ms,  1,      500000000,  1s500ms",
    "1500us,   0,      1500000,    1ms500us",
    "0s,       0,      0,          0s",
    "-5s,      -5,     0,          -5s",
  })
  void durationsReadAndWriteTheirHumanForm(String text, long seconds, int nanos, String written) {
    Duration d = Durations.parse(text);

    assertEquals(Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build(), d);
    assertEquals(written, Durations.format(d));
  }

  @Test
  void aBareNumberIsNotGuessedToBeSeconds() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("300"));
    assertEquals("'300' has no unit (write e.g. 300s or 300ms)", e.getMessage());
  }

  @Test
  void anUnknownUnitIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 sec"));
    assertEquals(
        "'5 sec' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)", e.getMessage());
  }

  @ParameterizedTest(name = "{0} is {1}s + {2}ns, written {3}")
  @CsvSource({
    "1.5s,     1,      500000000,  1s500ms",
    "0.5m,     30,     0,          30s",
    ".25h,     900,    0,          15m",
    "1.5h30m,  7200,   0,          2h",
    "2.000s,   2,      0,          2s",
    "0.001ms,  0,      1000,       1us",
    "-1.5s,    -1,     -500000000, -1s500ms",
  })
  void durationsMayHaveDecimalsAsGoAndEnvoyRead(
      String text, long seconds, int nanos, String written) {
    Duration d = Durations.parse(text);

    assertEquals(Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build(), d);
    assertEquals(written, Durations.format(d));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "1.5ns | '1.5ns' is finer than a nanosecond, the smallest duration",
        "1.s | '1.s' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)",
        "1..5s | '1..5s' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)",
        "1,5s | '1,5s' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)",
        "1e3s | '1e3s' is not a duration (expected e.g. 30s, 1.5s, 500ms, 5m, 1h30m)",
        "1.5 | '1.5' has no unit (write e.g. 1.5s or 1.5ms)",
        "99999999999999999999d | '99999999999999999999d' is too long a duration",
        "1234567890123456789012345678901s | '1234567890123456789012345678901s' is too long a"
            + " duration",
        "99999999999999999999s | '99999999999999999999s' is too long a duration",
      })
  void aDecimalThatIsNoDurationIsRefusedWithTheReason(String text, String reason) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertEquals(reason, e.getMessage());
  }

  @ParameterizedTest(name = "{0} is {1} bytes, written {2}")
  @CsvSource({
    "512,   512,        512",
    "16k,   16384,      16k",
    "16K,   16384,      16k",
    "80m,   83886080,   80m",
    "1g,    1073741824, 1g",
    "1536,  1536,       1536",
    "0,     0,          0",
  })
  void sizesReadAndWriteAsNginxDoes(String text, long bytes, String written) {
    Size size = Sizes.parse(text);

    assertEquals(bytes, size.getBytes());
    assertEquals(written, Sizes.format(size));
  }

  @Test
  void aSizeWithAnUnknownUnitIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Sizes.parse("10MB"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1k"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999999999g"));
  }
}
