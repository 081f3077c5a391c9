package dev.wharf.dataplane.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The head of a request stream, made ready for the HTTP/1.1 objects the exchanges read:
 *
 * <ul>
 *   <li>RFC 8441: an extended {@code CONNECT} with {@code :protocol websocket} becomes the HTTP/1.1
 *       WebSocket handshake it stands for ({@code GET} with {@code Upgrade} and a fresh {@code
 *       Sec-WebSocket-Key}; {@link StreamHeads} adds {@code Connection: upgrade} behind the codec,
 *       which would drop it), so the proxy opens an ordinary upgrade to the backend; the stream is
 *       marked so its {@code 101} goes back as {@code 200} ({@link StreamHeads}). Any other {@code
 *       :protocol} is refused with {@code 501}.
 *   <li>{@code :authority} is the request's host (RFC 9113 8.3.1): a {@code host} header that names
 *       another one makes the request malformed ({@code RST_STREAM PROTOCOL_ERROR}); one that
 *       agrees is dropped, so the HTTP/1.1 request carries one {@code Host}.
 * </ul>
 *
 * Sits in a stream's pipeline in front of Netty's frame-to-object codec; sees only the first
 * HEADERS frame of the stream (trailers pass untouched).
 */
public final class ExtendedConnect extends ChannelInboundHandlerAdapter {
  /** Set on a stream channel that carries a WebSocket (RFC 8441). */
  public static final AttributeKey<Boolean> WEBSOCKET =
      AttributeKey.valueOf(ExtendedConnect.class, "websocket");

  private static final AsciiString PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value();
  private static final AsciiString WEBSOCKET_PROTOCOL = AsciiString.cached("websocket");

  private final boolean webSocketAllowed;
  private boolean headSeen;

  /**
   * @param webSocketAllowed whether the connection advertised SETTINGS_ENABLE_CONNECT_PROTOCOL
   */
  public ExtendedConnect(boolean webSocketAllowed) {
    this.webSocketAllowed = webSocketAllowed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (headSeen || !(msg instanceof Http2HeadersFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    headSeen = true;
    Http2Headers headers = frame.headers();
    CharSequence authority = headers.authority();
    CharSequence host = headers.get(HttpHeaderNames.HOST);
    if (host != null && authority != null) {
      if (headers.getAll(HttpHeaderNames.HOST).size() > 1
          || !AsciiString.contentEqualsIgnoreCase(host, authority)) {
        reset(ctx, Http2Error.PROTOCOL_ERROR);
        return;
      }
      headers.remove(HttpHeaderNames.HOST);
    }
    CharSequence protocol = headers.get(PROTOCOL);
    if (protocol != null) {
      if (!webSocketAllowed
          || !HttpMethod.CONNECT.asciiName().contentEquals(headers.method())
          || !AsciiString.contentEqualsIgnoreCase(protocol, WEBSOCKET_PROTOCOL)
          || frame.isEndStream()) {
        refuse(ctx);
        return;
      }
      asWebSocketHandshake(headers);
      ctx.channel().attr(WEBSOCKET).set(Boolean.TRUE);
    }
    ctx.fireChannelRead(frame);
  }

  /** RFC 8441 5: the CONNECT's own headers, plus what an HTTP/1.1 handshake says in addition. */
  private static void asWebSocketHandshake(Http2Headers headers) {
    headers.remove(PROTOCOL);
    headers.method(HttpMethod.GET.asciiName());
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    headers
        .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
        .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, Base64.getEncoder().encodeToString(key));
  }

  /** {@code 501}: a protocol this node cannot carry over a stream. */
  private static void refuse(ChannelHandlerContext ctx) {
    Http2Headers status = new DefaultHttp2Headers().status("501");
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(status, true));
  }

  private static void reset(ChannelHandlerContext ctx, Http2Error error) {
    Http2ResetFrame reset = new DefaultHttp2ResetFrame(error);
    ctx.writeAndFlush(reset);
  }
}
