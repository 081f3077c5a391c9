package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frame boundaries are found whatever the sizes and wherever the bytes are split. */
class FrameScannerTest {
  private final List<String> events = new ArrayList<>();
  private final FrameScanner.Listener listener =
      new FrameScanner.Listener() {
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
          events.add("error " + reason);
        }

        @Override
        public void onMessageTooBig(long size) {
          events.add("too big " + size);
        }
      };

  /** A frame as a peer would write it; masked frames get a fixed key. */
  static byte[] frame(int opcode, boolean fin, boolean masked, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      b.writeByte(maskBit | payload.length);
    } else if (payload.length < 65536) {
      b.writeByte(maskBit | 126).writeShort(payload.length);
    } else {
      b.writeByte(maskBit | 127).writeLong(payload.length);
    }
    byte[] key = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
      b.writeBytes(key);
    }
    for (int i = 0; i < payload.length; i++) {
      b.writeByte(masked ? payload[i] ^ key[i % 4] : payload[i]);
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuf b = Unpooled.buffer();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  @Test
  void framesOfEveryLengthFormAreFollowedEvenWhenSplitByteByByte() {
    byte[] stream =
        concat(
            frame(1, false, true, new byte[5]),
            frame(0, true, true, new byte[300]),
            frame(2, true, false, new byte[70_000]),
            frame(8, true, true, new byte[] {0x03, (byte) 0xe9}));
    FrameScanner scanner = new FrameScanner();

    for (byte b : stream) {
      ByteBuf one = Unpooled.wrappedBuffer(new byte[] {b});
      assertEquals(1, scanner.scan(one, false, listener));
    }

    assertEquals(
        List.of("frame 1", "frame 0 fin", "frame 2 fin", "frame 8 fin", "close 1001"), events);
    assertTrue(scanner.atBoundary());
  }

  @Test
  void scanningStopsRightAfterTheFrameInFlight() {
    byte[] first = frame(1, true, false, new byte[10]);
    byte[] second = frame(1, true, false, new byte[4]);
    FrameScanner scanner = new FrameScanner();
    scanner.scan(Unpooled.wrappedBuffer(first, 0, 3), false, listener);
    assertFalse(scanner.atBoundary());

    ByteBuf rest =
        Unpooled.wrappedBuffer(
            concat(java.util.Arrays.copyOfRange(first, 3, first.length), second));
    int upToBoundary = scanner.scan(rest, true, listener);

    assertEquals(first.length - 3, upToBoundary);
    assertTrue(scanner.atBoundary());
  }

  @Test
  void aCloseFrameWithoutCodeCountsAs1005() {
    new FrameScanner()
        .scan(Unpooled.wrappedBuffer(frame(8, true, false, new byte[0])), false, listener);

    assertEquals(List.of("frame 8 fin", "close 1005"), events);
  }

  @Test
  void aLengthAbove2To63IsAProtocolError() {
    byte[] bad = {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
    new FrameScanner().scan(Unpooled.wrappedBuffer(bad), false, listener);

    assertEquals(1, events.size());
    assertTrue(events.get(0).startsWith("error"), events.toString());
  }

  @Test
  void aMessageIsMeasuredAcrossItsFragmentsAndControlFramesDoNotCount() {
    FrameScanner scanner = new FrameScanner(100);
    byte[] stream =
        concat(
            frame(1, false, false, new byte[60]),
            frame(9, true, false, new byte[50]),
            frame(0, false, false, new byte[40]), // 100: still allowed
            frame(0, true, false, new byte[1]), // 101: refused at its header
            frame(2, true, false, new byte[1]));
    ByteBuf buf = Unpooled.wrappedBuffer(stream);

    int scanned = scanner.scan(buf, false, listener);

    assertEquals(List.of("frame 1", "frame 9 fin", "frame 0", "too big 101"), events);
    assertTrue(scanner.broken());
    assertEquals(
        2 + 60 + 2 + 50 + 2 + 40,
        scanner.brokenFrameStart(),
        "the refused frame starts right after the accepted ones");
    assertEquals(scanner.brokenFrameStart() + 2, scanned, "nothing read after its header");
  }

  @Test
  void aFinishedMessageDoesNotCountTowardsTheNext() {
    FrameScanner scanner = new FrameScanner(100);
    byte[] message = frame(2, true, false, new byte[100]);

    scanner.scan(Unpooled.wrappedBuffer(concat(message, message)), false, listener);

    assertEquals(List.of("frame 2 fin", "frame 2 fin"), events);
    assertFalse(scanner.broken());
  }
}
