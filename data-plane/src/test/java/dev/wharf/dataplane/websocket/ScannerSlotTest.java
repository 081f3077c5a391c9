package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two directions that borrow the thread's spare scanner read by read follow their own frames as two
 * scanners of their own would: a frame, a close code or a fragmented message cut between reads goes
 * on where it stopped, whatever the other direction read meanwhile.
 */
class ScannerSlotTest {
  private final List<String> events = new ArrayList<>();

  private FrameScanner.Listener listener(String side) {
    return new FrameScanner.Listener() {
      @Override
      public void onFrame(int opcode, boolean fin) {
        events.add(side + " frame " + opcode + (fin ? " fin" : ""));
      }

      @Override
      public void onClose(int code) {
        events.add(side + " close " + code);
      }

      @Override
      public void onProtocolError(String reason) {
        events.add(side + " error " + reason);
      }

      @Override
      public void onMessageTooBig(long size) {
        events.add(side + " too big " + size);
      }
    };
  }

  private static void read(ScannerSlot slot, byte[] bytes, FrameScanner.Listener listener) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    slot.get().scan(buf, false, listener); // a refused frame's payload is not scanned
    slot.settle();
    buf.release();
  }

  @Test
  void framesCutBetweenReadsGoOnWhereTheyStoppedWhileTheOtherDirectionReadsWholeFrames() {
    ScannerSlot a = new ScannerSlot(10);
    ScannerSlot b = new ScannerSlot(10);
    byte[] text = FrameScannerTest.frame(1, false, true, "hello".getBytes(StandardCharsets.UTF_8));
    byte[] more = FrameScannerTest.frame(0, false, true, "abc".getBytes(StandardCharsets.UTF_8));
    byte[] tooMuch = FrameScannerTest.frame(0, true, true, "xyz".getBytes(StandardCharsets.UTF_8));
    byte[] close = FrameScannerTest.frame(8, true, false, new byte[] {0x03, (byte) 0xe9});
    byte[] whole = FrameScannerTest.frame(2, true, false, new byte[] {1, 2, 3});

    read(a, Arrays.copyOfRange(text, 0, 3), listener("a")); // a header cut after its mask's start
    assertFalse(a.atBoundary());
    read(b, whole, listener("b"));
    assertTrue(b.atBoundary());
    read(a, Arrays.copyOfRange(text, 3, text.length), listener("a"));
    assertTrue(a.atBoundary(), "at a frame boundary, inside a message");
    read(b, Arrays.copyOfRange(close, 0, 3), listener("b")); // the close code cut in two
    read(a, more, listener("a")); // 8 of 10 bytes of the message
    read(b, Arrays.copyOfRange(close, 3, close.length), listener("b"));
    read(a, tooMuch, listener("a")); // 11: refused, the message's size was kept across reads

    assertEquals(
        List.of(
            "b frame 2 fin",
            "a frame 1",
            "b frame 8 fin",
            "a frame 0",
            "b close 1001",
            "a too big 11"),
        events);
  }
}
