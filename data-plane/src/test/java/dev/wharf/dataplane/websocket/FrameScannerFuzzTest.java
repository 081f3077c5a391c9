package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The relay's frame scanner on any bytes, split into buffers at any points: no exception (a stream
 * that is not WebSocket framing is reported through {@code onProtocolError} or {@code
 * onMessageTooBig}, the documented refusals), buffer indexes untouched, every byte accounted for
 * until a refusal and none after, and the same frames and closes found however the bytes were
 * split, as one scanner over the whole stream finds them. Buffers are pooled and leak-tracked.
 *
 * <p>Input: byte 0 picks the message size limit, byte 1 seeds the split points, the rest is the
 * stream.
 */
@ExtendWith(NettyLeakExtension.class)
class FrameScannerFuzzTest {
  private static final long[] LIMITS = {Long.MAX_VALUE, 0, 1, 125, 126, 65_535, 65_536, 1 << 20};

  @FuzzTest(maxDuration = "60s")
  void anyBytesSplitAnywhereScanToTheSameFramesOrOneRefusal(byte[] input) {
    if (input.length < 2) {
      return;
    }
    long limit = LIMITS[(input[0] & 0xff) % LIMITS.length];
    int seed = input[1] & 0xff;
    byte[] stream = Arrays.copyOfRange(input, 2, input.length);

    Events whole = new Events();
    int wholeScanned = scanAll(new FrameScanner(limit), List.of(stream), whole);
    Events split = new Events();
    int splitScanned = scanAll(new FrameScanner(limit), chunks(stream, seed), split);

    assertEquals(whole.events, split.events, "the frames found depend on the split");
    assertEquals(whole.refused, split.refused);
    assertTrue(whole.refused <= 1, "refused more than once");
    if (whole.refused == 0) {
      assertEquals(stream.length, wholeScanned, "bytes left unscanned without a refusal");
      assertEquals(stream.length, splitScanned);
    } else {
      assertTrue(wholeScanned <= stream.length && splitScanned <= stream.length);
    }
  }

  /** Scans {@code parts} in order, as the relay would; returns the bytes the scanner consumed. */
  private static int scanAll(FrameScanner scanner, List<byte[]> parts, Events events) {
    int scanned = 0;
    for (byte[] part : parts) {
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(part.length).writeBytes(part);
      try {
        boolean brokenBefore = scanner.broken();
        int n = scanner.scan(buf, false, events);
        assertEquals(0, buf.readerIndex(), "scan moved the reader index");
        assertEquals(part.length, buf.writerIndex());
        assertTrue(n >= 0 && n <= part.length, "scanned " + n + " of " + part.length);
        if (brokenBefore) {
          assertEquals(0, n, "scanned after a refusal");
        }
        if (scanner.broken()) {
          int start = scanner.brokenFrameStart();
          assertTrue(start >= -1 && start < part.length, "broken frame start " + start);
        }
        scanned += n;
      } finally {
        buf.release();
      }
    }
    return scanned;
  }

  private static List<byte[]> chunks(byte[] stream, int seed) {
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    int step = seed;
    while (at < stream.length) {
      int size = Math.min(stream.length - at, 1 + (step % 17));
      out.add(Arrays.copyOfRange(stream, at, at + size));
      at += size;
      step = step * 31 + 7 & 0xffff;
    }
    return out;
  }

  private static final class Events implements FrameScanner.Listener {
    final List<String> events = new ArrayList<>();
    int refused;

    @Override
    public void onFrame(int opcode, boolean fin) {
      events.add("frame " + opcode + (fin ? " fin" : ""));
    }

    @Override
    public void onClose(int code) {
      events.add("close " + code);
    }

    @Override
    public void onProtocolError(String reason) {
      refused++;
      events.add("error " + reason);
    }

    @Override
    public void onMessageTooBig(long size) {
      refused++;
      events.add("too big " + size);
    }
  }
}
