package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A body of {@code length} bytes where byte i is {@code (byte) (i % 251)}, produced 16 KiB at a
 * time as the {@link io.netty.handler.stream.ChunkedWriteHandler} asks for more. 251 is prime, so a
 * dropped, repeated or reordered chunk shows up as a wrong byte. Produced on demand, so a huge body
 * costs no memory and slows down with the reader.
 */
final class PatternBody implements ChunkedInput<ByteBuf> {
  static final int CHUNK_SIZE = 16 * 1024;

  private final long length;
  private long offset;

  PatternBody(long length) {
    this.length = length;
  }

  static byte byteAt(long index) {
    return (byte) (index % 251);
  }

  /** The first {@code count} bytes of the pattern, for bodies that are cut short on purpose. */
  static ByteBuf prefix(ByteBufAllocator alloc, int count) {
    // One bulk write, as in readChunk: a writeByte per byte records a trace each under PARANOID.
    return alloc.buffer(count).writeBytes(bytes(0, count));
  }

  /** The {@code count} pattern bytes from {@code offset}, as an array. */
  private static byte[] bytes(long offset, int count) {
    byte[] bytes = new byte[count];
    for (int i = 0; i < count; i++) {
      bytes[i] = byteAt(offset + i);
    }
    return bytes;
  }

  @Override
  public boolean isEndOfInput() {
    return offset >= length;
  }

  @Override
  public void close() {
    // nothing to release: bytes are computed, not read from anywhere
  }

  /** Required by the interface though Netty deprecated it; the allocator variant does the work. */
  @Deprecated
  @Override
  public ByteBuf readChunk(ChannelHandlerContext ctx) {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator alloc) {
    if (isEndOfInput()) {
      return null;
    }
    int size = (int) Math.min(CHUNK_SIZE, length - offset);
    // Filled as an array and written once: under the PARANOID leak detector every writeByte on a
    // tracked buffer records a stack trace, which slowed a 20 MB body to about 150 KB/s.
    ByteBuf chunk = alloc.buffer(size).writeBytes(bytes(offset, size));
    offset += size;
    return chunk;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public long progress() {
    return offset;
  }
}
