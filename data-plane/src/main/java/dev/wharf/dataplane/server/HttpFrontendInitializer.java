package dev.wharf.dataplane.server;

import dev.wharf.config.Cidr;
import dev.wharf.config.HeaderLineLimits;
import dev.wharf.config.Http2Options;
import dev.wharf.config.ListenerLimits;
import dev.wharf.dataplane.clientaddress.ClientAddresses;
import dev.wharf.dataplane.clientaddress.ProxyProtocolHandler;
import dev.wharf.dataplane.clientaddress.TrustedRanges;
import dev.wharf.dataplane.http.ClientProtocol;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.tls.TlsTerminator;
import dev.wharf.proto.config.v1.Listener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import java.util.List;

/**
 * The pipeline of a client connection, in the order a request meets it. Handler names are constants
 * so the WebSocket switch can find and replace them. Any channel type will do (a socket in
 * production, an embedded channel in handler tests); it must not read on its own ({@code AUTO_READ}
 * off).
 */
final class HttpFrontendInitializer extends ChannelInitializer<Channel> {
  static final String PROXY_PROTOCOL_DECODER = "proxy-protocol-decoder";
  static final String PROXY_PROTOCOL = "proxy-protocol";
  static final String TIMEOUTS = "client-timeouts";
  static final String HTTP_CODEC = "http-codec";
  static final String COMPRESSION = "compression";
  static final String CHUNKED_WRITER = "chunked-writer";
  static final String FLOW_CONTROL = "flow-control";
  static final String DISPATCHER = "dispatcher";
  static final String PROTOCOL_SELECTION = "protocol-selection";

  private final ListenerContext context;
  private final ChannelGroup connections;

  /**
   * @param connections every open client connection of the node, for events such as {@link
   *     dev.wharf.dataplane.http.GoAway}
   */
  HttpFrontendInitializer(ListenerContext context, ChannelGroup connections) {
    this.context = context;
    this.connections = connections;
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    // Limits come from the config current when the connection is accepted.
    Listener config = context.snapshot().get().listener(context.name());
    ChannelPipeline p = ch.pipeline();
    addClientAddress(ch, config);
    boolean tls = addTls(p);
    Http2Options h2 = Http2Options.of(config);
    if (tls ? !h2.offered() : !h2.cleartext()) {
      addHttp1(p, config);
      return;
    }
    ProtocolSelection.Pipelines pipelines =
        new ProtocolSelection.Pipelines() {
          @Override
          public void http1(ChannelHandlerContext ctx) {
            addHttp1(ctx.pipeline(), config);
          }

          @Override
          public void http2(ChannelHandlerContext ctx, ClientProtocol protocol) {
            Http2FrontendPipeline.install(ctx.channel(), context, config, h2, protocol);
          }
        };
    p.addLast(
        PROTOCOL_SELECTION,
        tls
            ? new ProtocolSelection.Alpn(pipelines)
            : new ProtocolSelection.PriorKnowledge(pipelines));
  }

  /** The HTTP/1.1 handlers, at once or once the client is known to speak HTTP/1.1. */
  private void addHttp1(ChannelPipeline p, Listener config) {
    ClientTimeouts timeouts = addTimeouts(p, config);
    addHttpCodec(p, config);
    // The compressor and the chunked file writer join when a route first needs them (right after
    // the codec, and in front of the flow control): see ResponseHandlers.
    addFlowControl(p);
    // No HttpServerKeepAliveHandler: the dispatcher and each exchange decide keep-alive per
    // response, and the codec closes after a response that says Connection: close.
    addDispatcher(p, timeouts);
  }

  /**
   * Where the client's address comes from. With {@code proxy_protocol} the PROXY header is read
   * before anything else, TLS included: the order is PROXY, then TLS, then HTTP. Both handlers go
   * first in the pipeline and leave it once the header is read (a connection without a valid one
   * from a trusted peer is closed there).
   */
  private void addClientAddress(Channel ch, Listener config) {
    ClientAddresses.attach(ch, config);
    if (config.hasProxyProtocol()) {
      List<Cidr> trusted = TrustedRanges.of(config.getProxyProtocol().getTrustedSourcesList());
      NodeServices node = context.services().node();
      ch.pipeline()
          .addFirst(PROXY_PROTOCOL, new ProxyProtocolHandler(context.name(), trusted, node))
          .addFirst(PROXY_PROTOCOL_DECODER, ProxyProtocolHandler.decoder());
    }
  }

  /**
   * TLS termination, first in the pipeline when the listener has {@code tls} (handler names in
   * {@link TlsTerminator}). Its handlers stay when the connection becomes a WebSocket relay.
   * Anything that must see the raw bytes before TLS (the PROXY protocol) goes in before this.
   */
  private boolean addTls(ChannelPipeline p) {
    TlsTerminator tls = context.tls().get(context.name());
    if (tls != null) {
      tls.install(p);
    }
    return tls != null;
  }

  private ClientTimeouts addTimeouts(ChannelPipeline p, Listener config) {
    ClientTimeouts timeouts = new ClientTimeouts(config, context.services().node().ticker());
    p.addLast(TIMEOUTS, timeouts);
    return timeouts;
  }

  /** Netty's codec, strict, behind a look at the raw head (see {@link StrictHttpCodec}). */
  private static void addHttpCodec(ChannelPipeline p, Listener config) {
    int maxUri = (int) ListenerLimits.maxUriBytes(config);
    int maxHeader = (int) ListenerLimits.maxRequestHeaderBytes(config);
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxUri)
            .setMaxHeaderSize(maxHeader)
            .setStrictLineParsing(true)
            // Content-Length together with Transfer-Encoding is a smuggling attempt: refuse it.
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
    p.addLast(HTTP_CODEC, new StrictHttpCodec(decoder, HeaderLineLimits.effectiveBytes(config)));
  }

  /** Holds decoded messages until the dispatcher asks for the next one. */
  private static void addFlowControl(ChannelPipeline p) {
    p.addLast(FLOW_CONTROL, new FlowControlHandler());
  }

  private void addDispatcher(ChannelPipeline p, ClientTimeouts timeouts) {
    p.addLast(
        DISPATCHER,
        new RequestDispatcher(context, timeouts, ResponseHandlers.lazy(), ClientProtocol.HTTP_1_1));
  }
}
