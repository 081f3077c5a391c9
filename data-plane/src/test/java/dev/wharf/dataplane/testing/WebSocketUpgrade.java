package dev.wharf.dataplane.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * Turns a backend connection into a WebSocket echo connection: answers the upgrade with 101
 * (carrying the identity headers) and swaps the pipeline from HTTP to frames.
 *
 * <p>After the upgrade the pipeline is: {@link MaskBitScanner} (sees raw bytes, so it notices
 * unmasked frames the decoder is about to refuse), Netty's frame decoder and encoder, then {@link
 * WebSocketEchoHandler} in place of the HTTP behaviour handler. Netty removes the HTTP codec itself
 * once the 101 is written.
 *
 * <p>Threading: the connection's event loop, while handling the upgrade request.
 */
final class WebSocketUpgrade {
  static final String MASK_SCANNER = "mask-scanner";
  static final String WEBSOCKET_ECHO = "websocket-echo";

  /** Masked client frames required (the default); frames up to 8 MiB so 2 MiB messages fit. */
  private static final WebSocketDecoderConfig DECODER_CONFIG =
      WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(8 * 1024 * 1024).build();

  private WebSocketUpgrade() {}

  /**
   * Upgrades the connection of {@code ctx}, whose handler must be the HTTP behaviour handler, or
   * answers 400/426 and leaves it HTTP when {@code request} is not a usable handshake.
   */
  static void upgradeOrRefuse(
      ChannelHandlerContext ctx, HttpRequest request, ResponseWriter responses, BackendLog log) {
    if (!request
        .headers()
        .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      responses.sendText(ctx, HttpResponseStatus.BAD_REQUEST, "not a websocket handshake\n", false);
      return;
    }
    // "*" accepts whatever subprotocol the client offers first, so a proxy can be seen to pass
    // Sec-WebSocket-Protocol through.
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(
                "ws://127.0.0.1" + request.uri(),
                WebSocketServerHandshaker.SUB_PROTOCOL_WILDCARD,
                DECODER_CONFIG)
            .newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    // The body was already read (and recorded); the handshaker wants the head as a full request.
    FullHttpRequest handshake =
        new DefaultFullHttpRequest(
            request.protocolVersion(),
            request.method(),
            request.uri(),
            Unpooled.EMPTY_BUFFER,
            request.headers(),
            EmptyHttpHeaders.INSTANCE);
    try {
      handshaker
          .handshake(ctx.channel(), handshake, responses.identityHeaders(), ctx.newPromise())
          .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } catch (WebSocketHandshakeException e) {
      responses.sendText(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n", false);
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    if (pipeline.context(WebSocketFrameDecoder.class) == null) {
      return; // the handshake failed without throwing; its listener closes the connection
    }
    pipeline.addBefore(
        pipeline.context(WebSocketFrameDecoder.class).name(),
        MASK_SCANNER,
        new MaskBitScanner(log));
    pipeline.replace(ctx.handler(), WEBSOCKET_ECHO, new WebSocketEchoHandler(log));
  }
}
