package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.ClientProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.List;

/**
 * How a connection on a listener that speaks HTTP/2 learns which protocol its client speaks, and
 * hands it to the pipeline for it. Either waits where the HTTP handlers will go, asking for bytes
 * itself (the connection does not read on its own), then leaves.
 */
final class ProtocolSelection {
  /** What a selection hands the connection to. */
  interface Pipelines {
    void http1(ChannelHandlerContext ctx);

    void http2(ChannelHandlerContext ctx, ClientProtocol protocol);
  }

  private ProtocolSelection() {}

  /** Over TLS: what ALPN agreed, {@code http/1.1} when the client offered nothing. */
  static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final Pipelines pipelines;
    private boolean selected;

    Alpn(Pipelines pipelines) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.pipelines = pipelines;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.read(); // the handshake's first bytes
      super.channelActive(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      if (!selected && ctx.channel().isActive()) {
        ctx.read();
      }
      super.channelReadComplete(ctx);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      selected = true;
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        pipelines.http2(ctx, ClientProtocol.H2);
      } else {
        pipelines.http1(ctx);
      }
    }

    /** The handshake gate in front has counted and logged the failure already. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * Without TLS, on a listener with {@code cleartext}: a connection whose first bytes are the
   * HTTP/2 connection preface speaks h2c (prior knowledge, RFC 9113 3.3); at the first byte that
   * differs from it, HTTP/1.1. No HTTP/1.1 request starts with those 24 bytes ({@code PRI *
   * HTTP/2.0}).
   */
  static final class PriorKnowledge extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Pipelines pipelines;
    private boolean selected;

    PriorKnowledge(Pipelines pipelines) {
      this.pipelines = pipelines;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.read();
      super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (selected) {
        return;
      }
      int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
      if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n)) {
        select(ctx, null);
      } else if (n == PREFACE.readableBytes()) {
        select(ctx, ClientProtocol.H2C);
      }
    }

    /** Adds the chosen pipeline behind this handler, which then leaves with the bytes it holds. */
    private void select(ChannelHandlerContext ctx, ClientProtocol h2) {
      selected = true;
      if (h2 == null) {
        pipelines.http1(ctx);
      } else {
        pipelines.http2(ctx, h2);
      }
      ctx.pipeline().remove(this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      if (!selected && ctx.channel().isActive()) {
        ctx.read();
      }
      super.channelReadComplete(ctx);
    }
  }
}
