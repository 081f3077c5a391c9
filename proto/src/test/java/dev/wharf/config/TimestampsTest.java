package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void anInstantSurvivesTheRoundTripToTheNanosecond() {
    Instant t = Instant.parse("2025-03-01T09:30:00.123456789Z");

    Timestamp proto = Timestamps.toProto(t);

    assertEquals(t.getEpochSecond(), proto.getSeconds());
    assertEquals(123_456_789, proto.getNanos());
    assertEquals(t, Timestamps.toJava(proto));
  }

  @Test
  void instantsBeforeTheEpochKeepTheirNanosPositiveAsTimestampRequires() {
    Instant t = Instant.parse("1969-12-31T23:59:59.500Z");

    Timestamp proto = Timestamps.toProto(t);

    assertEquals(-1, proto.getSeconds());
    assertEquals(500_000_000, proto.getNanos());
    assertEquals(t, Timestamps.toJava(proto));
  }

  @Test
  void anUnsetTimestampIsTheEpoch() {
    assertEquals(Instant.EPOCH, Timestamps.toJava(Timestamp.getDefaultInstance()));
  }
}
