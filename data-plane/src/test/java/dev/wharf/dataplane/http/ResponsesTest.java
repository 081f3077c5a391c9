package dev.wharf.dataplane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Date header the node writes. */
class ResponsesTest {
  @Test
  void theDateIsAnImfFixdateWithATwoDigitDay() {
    assertEquals(
        "Mon, 01 Jun 2026 08:09:10 GMT",
        Responses.httpDate(Instant.parse("2026-06-01T08:09:10.999Z")));
    assertEquals(
        "Sat, 21 Nov 2026 10:15:30 GMT", Responses.httpDate(Instant.parse("2026-11-21T10:15:30Z")));
  }

  @Test
  void theDateFromTheClocksMillisecondsIsTheSecondItFallsIn() {
    long millis = Instant.parse("2026-06-01T08:09:10.999Z").toEpochMilli();
    assertEquals("Mon, 01 Jun 2026 08:09:10 GMT", Responses.httpDate(millis));
    assertEquals("Mon, 01 Jun 2026 08:09:11 GMT", Responses.httpDate(millis + 1));
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", Responses.httpDate(999L));
    assertEquals("Wed, 31 Dec 1969 23:59:59 GMT", Responses.httpDate(-1L));
  }
}
