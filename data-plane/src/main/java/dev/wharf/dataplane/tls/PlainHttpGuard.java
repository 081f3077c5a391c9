package dev.wharf.dataplane.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Looks at the first byte a client sends to a TLS listener: a TLS record (handshake, 0x16) passes
 * on and this guard leaves; a request in plain HTTP (it starts with a method's letter) is answered
 * 400 "The plain HTTP request was sent to HTTPS port" in plain text, as nginx does, and closed;
 * anything else is closed.
 */
final class PlainHttpGuard extends ByteToMessageDecoder {
  /** Set on a connection whose client started TLS (its first byte began a handshake record). */
  static final AttributeKey<Boolean> TLS_STARTED = AttributeKey.valueOf("wharf.tls-started");

  private static final byte HANDSHAKE = 0x16;
  private static final byte[] PLAIN_HTTP =
      ("HTTP/1.1 400 Bad Request\r\n"
              + "Content-Type: text/plain\r\n"
              + "Content-Length: 47\r\n"
              + "Connection: close\r\n\r\n"
              + "The plain HTTP request was sent to HTTPS port\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final String listener;
  private final TlsMeters meters;

  PlainHttpGuard(String listener, TlsMeters meters) {
    this.listener = listener;
    this.meters = meters;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    byte first = in.getByte(in.readerIndex());
    if (first == HANDSHAKE) {
      ctx.channel().attr(TLS_STARTED).set(Boolean.TRUE);
      ctx.pipeline().remove(this);
      return;
    }
    in.skipBytes(in.readableBytes());
    if (first >= 'A' && first <= 'Z') {
      meters.refused(ctx.channel(), listener, "plain_http");
      ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_HTTP))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      meters.refused(ctx.channel(), listener, "not_tls");
      ctx.close();
    }
  }
}
