package dev.wharf.dataplane.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which coding a client's Accept-Encoding leads to (RFC 9110 12.5.3). */
class AcceptEncodingTest {
  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      value = {
        "gzip                         | GZIP",
        "gzip, deflate, br            | GZIP",
        "deflate                      | DEFLATE",
        "br, deflate                  | DEFLATE",
        "x-gzip                       | GZIP",
        "GZIP                         | GZIP",
        "gzip;q=0.5, deflate;q=0.6    | DEFLATE",
        "gzip;q=0.6, deflate;q=0.6    | GZIP",
        "gzip ; q=0.001               | GZIP",
        "gzip;q=0                     | none",
        "gzip;q=0.0, deflate;q=0      | none",
        "gzip;Q=0                     | none",
        "*                            | GZIP",
        "*;q=0                        | none",
        "gzip;q=0, *                  | DEFLATE",
        "*;q=0, deflate               | DEFLATE",
        "identity                     | none",
        "br, zstd                     | none",
        "gzip;q=abc                   | none",
        "gzip;q=2                     | none",
        "''                           | none",
        "none                         | none",
      })
  void theClientsWeightsPickTheCoding(String header, ContentCoding expected) {
    assertEquals(expected, AcceptEncoding.preferred(header));
  }
}
