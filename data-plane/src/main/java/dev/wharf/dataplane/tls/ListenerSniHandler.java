package dev.wharf.dataplane.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Reads the client's hello, picks the context for its server name from the listener's setup as it
 * is at that moment, and replaces itself with the connection's {@link SslHandler} under the name
 * {@link TlsTerminator#TLS}. A name the listener refuses gets a fatal {@code unrecognized_name}
 * alert and the connection closes.
 */
final class ListenerSniHandler extends SniHandler {
  /** The server name the client sent (null without SNI), for {@code $ssl_server_name}. */
  static final AttributeKey<String> SERVER_NAME = AttributeKey.valueOf("wharf.tls-server-name");

  /** TLS 1.2 record: alert, fatal (2), unrecognized_name (112). */
  private static final byte[] UNRECOGNIZED_NAME = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70};

  private final TlsTerminator terminator;
  private final TlsMeters meters;
  private ServerTls setup;

  ListenerSniHandler(TlsTerminator terminator, long handshakeTimeoutMillis, TlsMeters meters) {
    super(name -> null, handshakeTimeoutMillis);
    this.terminator = terminator;
    this.meters = meters;
  }

  @Override
  protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
    setup = terminator.current(); // one volatile read per handshake
    return ctx.executor().newSucceededFuture(setup.names().select(hostname));
  }

  @Override
  protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext context) {
    if (context == null) {
      meters.refused(ctx.channel(), terminator.listener(), "unknown_server_name");
      ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.channel().attr(SERVER_NAME).set(hostname);
    SslHandler handler = null;
    try {
      handler = newSslHandler(context, ctx.alloc());
      ctx.pipeline().replace(this, TlsTerminator.TLS, handler);
      handler = null;
    } finally {
      if (handler != null) {
        ReferenceCountUtil.safeRelease(handler.engine());
      }
    }
  }

  @Override
  protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
    SslHandler handler = super.newSslHandler(context, allocator);
    handler.setWrapDataSize(setup.recordSize());
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setUseCipherSuitesOrder(setup.preferServerCiphers());
    engine.setSSLParameters(params);
    if (!terminator.currentTickets().enabled()
        && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      // Netty clears SSL_OP_NO_TICKET on each engine to allow TLS 1.3 tickets, which brings TLS 1.2
      // tickets back too: set it again, on this engine, for both.
      SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }
    byte[] staple = setup.staple(context);
    if (staple != null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      openSsl.setOcspResponse(staple);
    }
    return handler;
  }
}
