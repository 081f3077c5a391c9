package dev.wharf.dataplane.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;

/**
 * One response body being compressed by Netty's zlib encoder, driven through an {@link
 * EmbeddedChannel}. Each piece given is flushed through (zlib's sync flush), so what goes in comes
 * out at once: a streamed response stays streamed.
 *
 * <p>Confined to the client connection's event loop. {@link #finish} or {@link #discard} must be
 * called once, or the encoder's buffers leak.
 */
final class ZlibStream {
  private final EmbeddedChannel encoder;

  private ZlibStream(EmbeddedChannel encoder) {
    this.encoder = encoder;
  }

  /** A stream for one body; shares the client connection's id and allocator. */
  static ZlibStream open(Channel client, ContentCoding coding, int level) {
    return new ZlibStream(
        new EmbeddedChannel(
            client.id(),
            false,
            client.config(),
            ZlibCodecFactory.newZlibEncoder(coding.wrapper(), level)));
  }

  /** The compressed form of {@code input}, which stays the caller's. */
  ByteBuf compress(ByteBuf input) {
    if (!input.isReadable()) {
      return Unpooled.EMPTY_BUFFER;
    }
    encoder.writeOutbound(input.retain());
    return drain();
  }

  /** Ends the stream: whatever the encoder still holds, and the format's trailer. */
  ByteBuf finish() {
    encoder.finish();
    return drain();
  }

  /** Drops the stream without ending it (the response was cut short). */
  void discard() {
    encoder.finishAndReleaseAll();
  }

  private ByteBuf drain() {
    ByteBuf first = encoder.readOutbound();
    if (first == null) {
      return Unpooled.EMPTY_BUFFER;
    }
    ByteBuf next = encoder.readOutbound();
    if (next == null) {
      return first;
    }
    CompositeByteBuf all = encoder.alloc().compositeBuffer();
    all.addComponent(true, first).addComponent(true, next);
    for (ByteBuf more = encoder.readOutbound(); more != null; more = encoder.readOutbound()) {
      all.addComponent(true, more);
    }
    return all;
  }
}
