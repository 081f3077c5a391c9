package dev.wharf.dataplane.http2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;

/**
 * The HTTP/1.1 objects of a stream, as the exchanges must see them, behind Netty's frame-to-object
 * codec:
 *
 * <ul>
 *   <li>in: the codec's own {@code x-http2-*} headers (stream id, scheme) are dropped, and so are
 *       any a client sent under those names: they describe this hop and must not reach a backend;
 *   <li>in: the handshake {@link ExtendedConnect} made of a WebSocket stream gets what the codec
 *       takes from it or adds: {@code Connection: upgrade} (the codec drops HTTP/2's forbidden
 *       connection headers) and no {@code Transfer-Encoding: chunked} (the codec frames an open
 *       stream as a chunked body; the stream's DATA is the WebSocket, not a request body);
 *   <li>out: RFC 8441 5, a WebSocket over a stream is accepted with {@code 200}, not {@code 101},
 *       and without the HTTP/1.1 handshake's {@code Upgrade}, {@code Connection} and {@code
 *       Sec-WebSocket-Accept}: the backend's {@code 101} to the handshake {@link ExtendedConnect}
 *       made is rewritten here. A refusal (any other status) goes back as it came.
 * </ul>
 */
public final class StreamHeads extends ChannelDuplexHandler {
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      dropExtensionHeaders(request.headers());
      if (Boolean.TRUE.equals(ctx.channel().attr(ExtendedConnect.WEBSOCKET).get())) {
        request
            .headers()
            .remove(HttpHeaderNames.TRANSFER_ENCODING)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      }
    }
    if (msg instanceof LastHttpContent last) {
      dropExtensionHeaders(last.trailingHeaders());
    }
    ctx.fireChannelRead(msg);
  }

  private static void dropExtensionHeaders(HttpHeaders headers) {
    if (headers.isEmpty()) {
      return;
    }
    for (ExtensionHeaderNames name : ExtensionHeaderNames.values()) {
      headers.remove(name.text());
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
        && Boolean.TRUE.equals(ctx.channel().attr(ExtendedConnect.WEBSOCKET).get())) {
      response.setStatus(HttpResponseStatus.OK);
      response
          .headers()
          .remove(HttpHeaderNames.UPGRADE)
          .remove(HttpHeaderNames.CONNECTION)
          .remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    }
    ctx.write(msg, promise);
  }
}
