package dev.wharf.dataplane.http;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Ids for {@code $request_id}: 128 random bits in hex, like nginx's. */
public final class RequestIds {
  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return HexFormat.of()
        .formatHex(ByteBuffer.allocate(16).putLong(r.nextLong()).putLong(r.nextLong()).array());
  }
}
