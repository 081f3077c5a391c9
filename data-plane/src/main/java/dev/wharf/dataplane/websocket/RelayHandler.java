package dev.wharf.dataplane.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of each connection of a WebSocket pair after the handshake: hands raw bytes to
 * the {@link WebSocketRelay}. Anything that is not bytes (leftovers of the HTTP codecs, such as the
 * end of the 101 response) is released here.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private final WebSocketRelay relay;
  private final WebSocketRelay.Direction direction;

  RelayHandler(WebSocketRelay relay, WebSocketRelay.Direction direction) {
    this.relay = relay;
    this.direction = direction;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf && buf.isReadable()) {
      relay.onRead(direction, buf);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    relay.onReadComplete(direction);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    relay.onWritable(ctx.channel());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // A GoAway (node drain) is not acted on here: the node's ConnectionDrainer closes each
    // WebSocket at its turn, so that the clients do not all reconnect at once.
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset socket; the relay closes the other side when this one is gone
  }
}
