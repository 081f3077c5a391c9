package dev.wharf.dataplane.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * Keeps a stream error the codec found (a body that disagrees with its {@code content-length}, a
 * malformed header block) from the stream's handlers: Netty's multiplexer resets the stream with
 * the error's own code ({@code PROTOCOL_ERROR}) right after showing it to the stream, but a handler
 * that closes the stream on an exception would have reset it first, with {@code CANCEL}, which
 * tells the client nothing of what it did wrong. The stream's handlers learn of the end from the
 * stream closing, as when a client resets it.
 *
 * <p>First handler of a request stream's pipeline. Any other exception passes on.
 */
public final class StreamErrors extends ChannelInboundHandlerAdapter {
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) instanceof Http2Exception.StreamException) {
      return;
    }
    ctx.fireExceptionCaught(cause);
  }
}
