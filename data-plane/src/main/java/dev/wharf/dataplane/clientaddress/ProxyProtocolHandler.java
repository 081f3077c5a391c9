package dev.wharf.dataplane.clientaddress;

import dev.wharf.config.Addresses;
import dev.wharf.config.Cidr;
import dev.wharf.dataplane.node.NodeServices;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Sits right behind Netty's {@link HAProxyMessageDecoder}, first in a connection's pipeline, and
 * takes the PROXY header (v1 or v2) a trusted balancer sends before anything else:
 *
 * <ul>
 *   <li>a peer outside {@code trusted_sources} is closed at once, before a byte is read;
 *   <li>a header the decoder refuses (not a PROXY header, a bad address, a v1 line over 107 bytes
 *       or without CRLF) closes the connection (the decoder closes it) without an answer;
 *   <li>a connection that ends before its header (the client header timeout closed it, or the peer
 *       gave up) is counted too;
 *   <li>a PROXY command with a TCP or UDP source records that source ({@code
 *       $proxy_protocol_addr}); a LOCAL command (the balancer's own health check) and an UNKNOWN or
 *       UNIX source keep the peer as the client.
 * </ul>
 *
 * Each refusal is counted in {@code wharf_proxy_protocol_rejected_total{listener,reason}} and
 * logged (rate-limited). After the header both handlers leave the pipeline and what follows (TLS or
 * HTTP) reaches the next handlers. Confined to the connection's event loop.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
  static final String UNTRUSTED = "untrusted_source";
  static final String MALFORMED = "malformed";
  static final String INCOMPLETE = "incomplete";

  private final String listener;
  private final List<Cidr> trusted;
  private final NodeServices node;
  private boolean settled;

  /**
   * @param trusted the listener's validated {@code proxy_protocol.trusted_sources}
   */
  public ProxyProtocolHandler(String listener, List<Cidr> trusted, NodeServices node) {
    this.listener = listener;
    this.trusted = trusted;
    this.node = node;
  }

  /** The decoder to put in front of this handler. */
  public static HAProxyMessageDecoder decoder() {
    return new HAProxyMessageDecoder();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // The rest of the pipeline sees the connection open either way, so it also sees it close.
    ctx.fireChannelActive();
    if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress peer)
        || !Cidr.anyContains(trusted, peer.getAddress())) {
      refuse(ctx, UNTRUSTED, "peer not in proxy_protocol.trusted_sources");
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      settled = true;
      ConnectionAddress connection = ClientAddresses.of(ctx.channel());
      InetSocketAddress source = source(header);
      if (connection != null && source != null) {
        connection.proxySource(source);
      }
    } finally {
      ReferenceCountUtil.release(header);
    }
    ctx.pipeline().remove(this); // the decoder removes itself after this read
  }

  /** The header's source, or null when the peer stays the client. */
  private static InetSocketAddress source(HAProxyMessage header) {
    if (header.command() == HAProxyCommand.LOCAL) {
      return null;
    }
    HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
    if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
        && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
      return null;
    }
    InetAddress address = Addresses.ipLiteral(header.sourceAddress());
    return address == null ? null : new InetSocketAddress(address, header.sourcePort());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!settled && cause instanceof DecoderException) {
      refuse(ctx, MALFORMED, String.valueOf(cause.getMessage()));
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!settled) {
      refuse(ctx, INCOMPLETE, "closed before a whole PROXY header arrived");
    }
    ctx.fireChannelInactive();
  }

  private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
    settled = true;
    node.metrics().proxyProtocolRejected(listener, reason);
    RefusalLog.refused(node.ticker(), listener, reason, ctx.channel().remoteAddress(), detail);
  }
}
