package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What part of a 1000-byte file a Range header asks for. */
class ByteRangesTest {
  private static final FileVariant FILE =
      new FileVariant(Path.of("f"), 1000, 1_767_323_045L, "text/plain", null, false);

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bytes=0-99           | 0+100",
        "bytes=990-           | 990+10",
        "bytes=-10            | 990+10",
        "bytes=-5000          | 0+1000",
        "bytes=500-99999      | 500+500",
        "bytes=999-999        | 999+1",
        "BYTES=0-0            | 0+1",
        "bytes= 10 - 19       | 10+10",
        "bytes=1000-          | unsatisfiable",
        "bytes=1000-2000      | unsatisfiable",
        "bytes=-0             | unsatisfiable",
        "bytes=0-9,20-29      | whole",
        "bytes=5-1            | whole",
        "bytes=abc-           | whole",
        "bytes=-              | whole",
        "bytes=12             | whole",
        "items=0-9            | whole",
        "bytes=+1-5           | whole",
        "bytes=99999999999999999999- | whole",
      })
  void aRangeHeaderSelects(String range, String expected) {
    HttpHeaders headers = new DefaultHttpHeaders().set("range", range);

    assertEquals(expected, describe(ByteRanges.select(headers, FILE)));
  }

  @ParameterizedTest(name = "If-Range [{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\"695735a5-3e8\"                   | 0+10",
        "W/\"695735a5-3e8\"                 | whole",
        "\"other\"                         | whole",
        "Fri, 02 Jan 2026 03:04:05 GMT     | 0+10",
        "Fri, 02 Jan 2026 03:04:06 GMT     | whole",
        "not a date                        | whole",
      })
  void ifRangeKeepsTheRangeOnlyForTheCurrentFile(String ifRange, String expected) {
    HttpHeaders headers =
        new DefaultHttpHeaders().set("range", "bytes=0-9").set("if-range", ifRange);

    assertEquals(expected, describe(ByteRanges.select(headers, FILE)));
  }

  @ParameterizedTest
  @CsvSource({"bytes=0-", "bytes=-1"})
  void anEmptyFileHasNoSatisfiableRange(String range) {
    FileVariant empty = new FileVariant(Path.of("e"), 0, 0, "text/plain", null, false);

    assertEquals(
        "unsatisfiable",
        describe(ByteRanges.select(new DefaultHttpHeaders().set("range", range), empty)));
  }

  private static String describe(ByteRanges.Selection s) {
    if (s instanceof ByteRanges.Part p) {
      return p.start() + "+" + p.length();
    }
    return s instanceof ByteRanges.Unsatisfiable ? "unsatisfiable" : "whole";
  }
}
