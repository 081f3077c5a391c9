package dev.wharf.dataplane.websocket;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Where one direction of a relay keeps its {@link FrameScanner}: its own only while a frame or a
 * fragmented message is unfinished (or the stream broke). Between messages, the usual state of an
 * idle WebSocket and of a read that carries whole frames, a scanner holds nothing worth keeping, so
 * a read borrows its event loop's spare scanner and gives it back clean; an idle WebSocket holds no
 * scanner at all.
 *
 * <p>Used on the relay's event loop. A borrowed scanner is given back ({@link #settle}) before the
 * read that borrowed it returns, so one spare per thread serves every relay on it.
 */
final class ScannerSlot {
  private static final FastThreadLocal<FrameScanner> SPARE =
      new FastThreadLocal<>() {
        @Override
        protected FrameScanner initialValue() {
          return new FrameScanner();
        }
      };

  private final long maxMessageSize;
  private FrameScanner own;
  private FrameScanner borrowed;

  ScannerSlot(long maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /** The scanner to scan with until {@link #settle}. */
  FrameScanner get() {
    if (own != null) {
      return own;
    }
    if (borrowed == null) {
      borrowed = SPARE.get();
      borrowed.restart(maxMessageSize);
    }
    return borrowed;
  }

  /** The read is over: an unfinished frame keeps a scanner of its own; a clean one is let go. */
  void settle() {
    if (borrowed != null) {
      if (!borrowed.clean()) {
        own = borrowed.copy();
      }
      borrowed.restart(Long.MAX_VALUE);
      borrowed = null;
    } else if (own != null && own.clean()) {
      own = null;
    }
  }

  /** True between frames: a frame of our own may be inserted here. */
  boolean atBoundary() {
    FrameScanner s = own != null ? own : borrowed;
    return s == null || s.atBoundary();
  }

  /** See {@link FrameScanner#brokenFrameStart}; during the read that broke the stream. */
  int brokenFrameStart() {
    return get().brokenFrameStart();
  }
}
