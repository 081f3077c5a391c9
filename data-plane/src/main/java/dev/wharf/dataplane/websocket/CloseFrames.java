package dev.wharf.dataplane.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Close frames the relay writes itself (RFC 6455 5.5.1): a status code, and a short ASCII reason
 * only for {@link #BAD_GATEWAY}, where the client cannot tell the cause otherwise.
 */
final class CloseFrames {
  /** Going Away: the proxy is ending the connection. */
  static final int GOING_AWAY = 1001;

  /** Message Too Big: a message went over the route's maximum message size. */
  static final int MESSAGE_TOO_BIG = 1009;

  /**
   * Bad Gateway (IANA WebSocket close code registry): the endpoint's connection ended without a
   * close frame. Chosen over {@code 1011 Internal Error}, which says the server itself failed.
   */
  static final int BAD_GATEWAY = 1014;

  /** The reason sent with {@link #BAD_GATEWAY}. */
  static final String UPSTREAM_LOST = "upstream connection lost";

  private CloseFrames() {}

  /** A close frame toward a client with a reason of at most 123 ASCII bytes. */
  static ByteBuf toClient(ByteBufAllocator alloc, int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
    return alloc
        .buffer(4 + text.length)
        .writeByte(0x88)
        .writeByte(2 + text.length)
        .writeShort(code)
        .writeBytes(text);
  }

  /** A close frame toward a client: servers never mask. */
  static ByteBuf toClient(ByteBufAllocator alloc, int code) {
    return alloc.buffer(4).writeByte(0x88).writeByte(2).writeShort(code);
  }

  /** A close frame toward an endpoint: the proxy is its client, so the frame is masked. */
  static ByteBuf toServer(ByteBufAllocator alloc, int code, RandomGenerator random) {
    int mask = random.nextInt();
    int payload = code & 0xffff;
    int maskedPayload = payload ^ (mask >>> 16);
    return alloc
        .buffer(8)
        .writeByte(0x88)
        .writeByte(0x80 | 2)
        .writeInt(mask)
        .writeShort(maskedPayload);
  }
}
