package dev.wharf.dataplane.websocket;

import io.netty.buffer.ByteBuf;

/**
 * Follows RFC 6455 frame boundaries in one direction of a relayed byte stream by reading frame
 * headers only: payloads are skipped, never copied or unmasked. The one exception is the two-byte
 * status code of a close frame, read so closes can be counted by code.
 *
 * <p>It also enforces the maximum message size: the payload lengths of a message's frames (a text
 * or binary frame and its continuations, up to the one with FIN) are added up as each header
 * arrives, so a message is refused at the header of the frame that takes it over the limit, before
 * any of that frame's payload. Control frames, which may come between the fragments, do not count.
 * After a refusal or a protocol error the scanner reads nothing more.
 *
 * <p>Headers and payloads may be split across buffers at any byte. Not thread-safe: one scanner per
 * direction, used on its connection's event loop.
 */
final class FrameScanner {
  static final int OPCODE_CONTINUATION = 0;
  static final int OPCODE_TEXT = 1;
  static final int OPCODE_BINARY = 2;
  static final int OPCODE_CLOSE = 8;

  /** The code a close frame without a payload stands for (RFC 6455 7.1.5). */
  static final int NO_STATUS = 1005;

  /** What the scanner found. */
  interface Listener {
    /** A frame header was read. */
    void onFrame(int opcode, boolean fin);

    /** A whole close frame went by, with its status code (1005 when it had none). */
    void onClose(int code);

    /** The stream is not WebSocket framing; the relay should end. */
    void onProtocolError(String reason);

    /**
     * A frame header would take its message over the maximum size; {@code size} is what the message
     * would reach, or -1 beyond 2^63.
     */
    default void onMessageTooBig(long size) {
      onProtocolError("message too big");
    }
  }

  private long maxMessageSize;

  private final byte[] head = new byte[14];
  private int headRead;
  private int headNeeded = 2;
  private long payloadLeft;
  private int opcode;
  private boolean masked;
  private int maskAt; // index of the masking key in head
  private long payloadSeen;
  private int closeCode;
  private boolean broken;
  private long messageSize; // payload bytes of the unfinished message's frames so far
  private int headStart; // where the current header began in the buffer being scanned; -1: before

  /** A scanner without a message size limit. */
  FrameScanner() {
    this(Long.MAX_VALUE);
  }

  /**
   * @param maxMessageSize the largest message, in payload bytes, let through
   */
  FrameScanner(long maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * True when no frame and no message is under way and nothing broke: whatever comes next, this
   * scanner behaves as a new one would.
   */
  boolean clean() {
    return headRead == 0 && payloadLeft == 0 && messageSize == 0 && !broken;
  }

  /** Starts over as a new scanner with this limit. */
  void restart(long maxSize) {
    maxMessageSize = maxSize;
    headRead = 0;
    headNeeded = 2;
    payloadLeft = 0;
    opcode = 0;
    masked = false;
    maskAt = 0;
    payloadSeen = 0;
    closeCode = 0;
    broken = false;
    messageSize = 0;
    headStart = 0;
  }

  /** A scanner in this one's state, to go on where it stopped. */
  FrameScanner copy() {
    FrameScanner c = new FrameScanner(maxMessageSize);
    System.arraycopy(head, 0, c.head, 0, head.length);
    c.headRead = headRead;
    c.headNeeded = headNeeded;
    c.payloadLeft = payloadLeft;
    c.opcode = opcode;
    c.masked = masked;
    c.maskAt = maskAt;
    c.payloadSeen = payloadSeen;
    c.closeCode = closeCode;
    c.broken = broken;
    c.messageSize = messageSize;
    c.headStart = headStart;
    return c;
  }

  /** True once a protocol error or a message too big was found: nothing more is scanned. */
  boolean broken() {
    return broken;
  }

  /**
   * After {@link #broken}: the index, in the buffer of the last scan, of the first byte of the
   * frame header that broke the stream, or -1 when that header began in an earlier buffer (some of
   * its bytes were handed on before it could be judged).
   */
  int brokenFrameStart() {
    return headStart;
  }

  /** True between frames: a frame of our own may be inserted here. */
  boolean atBoundary() {
    return headRead == 0 && payloadLeft == 0;
  }

  /**
   * Scans the readable bytes of {@code buf} without moving its indexes.
   *
   * @param stopAtBoundary stop right after the first frame that ends in {@code buf}
   * @return how many bytes were scanned
   */
  int scan(ByteBuf buf, boolean stopAtBoundary, Listener listener) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    headStart = headRead > 0 ? -1 : start;
    while (i < end && !broken) {
      if (payloadLeft > 0) {
        int n = (int) Math.min(payloadLeft, end - i);
        if (opcode == OPCODE_CLOSE) {
          readCloseCode(buf, i, n);
        }
        i += n;
        payloadLeft -= n;
        payloadSeen += n;
        if (payloadLeft == 0) {
          frameEnded(listener);
          if (stopAtBoundary) {
            break;
          }
        }
        continue;
      }
      if (headRead == 0) {
        headStart = i;
      }
      head[headRead++] = buf.getByte(i++);
      if (headRead == 2) {
        int len7 = head[1] & 0x7f;
        masked = (head[1] & 0x80) != 0;
        headNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        maskAt = headNeeded - 4;
      }
      if (headRead >= 2 && headRead == headNeeded) {
        if (headerRead(listener) && stopAtBoundary) {
          break;
        }
      }
    }
    return i - start;
  }

  /** Returns true when the frame ended with its header (an empty payload). */
  private boolean headerRead(Listener listener) {
    boolean fin = (head[0] & 0x80) != 0;
    opcode = head[0] & 0x0f;
    int len7 = head[1] & 0x7f;
    long length;
    if (len7 == 126) {
      length = ((head[2] & 0xffL) << 8) | (head[3] & 0xffL);
    } else if (len7 == 127) {
      length = 0;
      for (int k = 2; k < 10; k++) {
        length = (length << 8) | (head[k] & 0xffL);
      }
      if (length < 0) {
        broken = true;
        listener.onProtocolError("frame length above 2^63");
        return false;
      }
    } else {
      length = len7;
    }
    int frameOpcode = head[0] & 0x0f;
    if (frameOpcode < OPCODE_CLOSE) { // a data frame: it counts towards its message
      long before = frameOpcode == OPCODE_CONTINUATION ? messageSize : 0;
      if (length > maxMessageSize - before) {
        broken = true;
        listener.onMessageTooBig(before + length < 0 ? -1 : before + length);
        return false;
      }
      messageSize = fin ? 0 : before + length;
    }
    headRead = 0;
    headNeeded = 2;
    payloadSeen = 0;
    closeCode = 0;
    listener.onFrame(opcode, fin);
    payloadLeft = length;
    if (length == 0) {
      frameEnded(listener);
      return true;
    }
    return false;
  }

  private void readCloseCode(ByteBuf buf, int index, int available) {
    for (int k = 0; k < available && payloadSeen + k < 2; k++) {
      int position = (int) (payloadSeen + k);
      int b = buf.getByte(index + k) & 0xff;
      if (masked) {
        b ^= head[maskAt + position] & 0xff;
      }
      closeCode = (closeCode << 8) | b;
    }
  }

  private void frameEnded(Listener listener) {
    if (opcode == OPCODE_CLOSE) {
      listener.onClose(payloadSeen >= 2 ? closeCode : NO_STATUS);
    }
  }
}
