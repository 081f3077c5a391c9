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
    assertEquals("'5 sec' is not a duration (expected e.g. 30s, 500ms, 5m, 1h30m)", e.getMessage());
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
