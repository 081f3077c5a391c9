package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Watches the raw bytes of a WebSocket connection for client frames without the mask bit and
 * reports them to the {@link BackendLog}, then passes the bytes on untouched.
 *
 * <p>Why not ask the decoder: Netty's decoder (rightly) refuses unmasked client frames, and it does
 * so by closing the connection with 1002, not by telling anyone. A proxy that forgets to mask would
 * then only look like a flaky connection; this makes it a clear assertion.
 *
 * <p>It tracks frame boundaries itself: collects each frame header (2 to 14 bytes, possibly split
 * across reads), reads the mask bit and payload length, and skips the payload.
 *
 * <p>Threading: the connection's event loop only.
 */
final class MaskBitScanner extends ChannelInboundHandlerAdapter {
  private static final int MASK_BIT = 0x80;

  private final BackendLog log;
  private final byte[] header = new byte[14];
  private int headerBytes;
  private long payloadLeft;

  MaskBitScanner(BackendLog log) {
    this.log = log;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      scan(bytes);
    }
    ctx.fireChannelRead(msg);
  }

  private void scan(ByteBuf bytes) {
    int index = bytes.readerIndex();
    int end = bytes.writerIndex();
    while (index < end) {
      if (payloadLeft > 0) {
        int skip = (int) Math.min(payloadLeft, end - index);
        index += skip;
        payloadLeft -= skip;
        continue;
      }
      header[headerBytes++] = bytes.getByte(index++);
      if (headerBytes >= 2 && headerBytes == headerLength()) {
        if ((header[1] & MASK_BIT) == 0) {
          log.unmaskedFrameReceived();
        }
        payloadLeft = payloadLength();
        headerBytes = 0;
      }
    }
  }

  /** Length of the header being collected; known once its second byte is in. */
  private int headerLength() {
    int length7 = header[1] & 0x7f;
    int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    int mask = (header[1] & MASK_BIT) != 0 ? 4 : 0;
    return 2 + extended + mask;
  }

  private long payloadLength() {
    int length7 = header[1] & 0x7f;
    if (length7 < 126) {
      return length7;
    }
    int extendedBytes = length7 == 126 ? 2 : 8;
    long length = 0;
    for (int i = 0; i < extendedBytes; i++) {
      length = (length << 8) | (header[2 + i] & 0xff);
    }
    return length;
  }
}
