package dev.wharf.dataplane.server;

import dev.wharf.proto.config.v1.Listener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The pipeline of a client connection, in the order a request meets it.
 * Handler names are constants so later stages (WebSocket upgrade, drain) can find them.
 */
final class HttpFrontendInitializer extends ChannelInitializer<SocketChannel> {
  static final String HTTP_CODEC = "http-codec";
  static final String KEEP_ALIVE = "keep-alive";
  static final String DISPATCHER = "dispatcher";

  /** nginx's large_client_header_buffers 4 8k: a request line fits in 8k. */
  static final int DEFAULT_MAX_URI_LENGTH = 8 * 1024;
  /** ...and the whole head in 32k. */
  static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;

  private final Listener config;
  private final ListenerContext context;

  HttpFrontendInitializer(Listener config, ListenerContext context) {
    this.config = config;
    this.context = context;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    addHttpCodec(p);
    addKeepAlive(p);
    addDispatcher(p);
  }

  private void addHttpCodec(ChannelPipeline p) {
    int maxUri = config.hasMaxUriLength()
        ? (int) config.getMaxUriLength().getBytes() : DEFAULT_MAX_URI_LENGTH;
    int maxHeader = config.hasMaxRequestHeaderSize()
        ? (int) config.getMaxRequestHeaderSize().getBytes() : DEFAULT_MAX_HEADER_SIZE;
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(maxUri)
        .setMaxHeaderSize(maxHeader)
        .setStrictLineParsing(true)
        // Content-Length together with Transfer-Encoding is a smuggling attempt: refuse it.
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false);
    p.addLast(HTTP_CODEC, new HttpServerCodec(decoder));
  }

  private static void addKeepAlive(ChannelPipeline p) {
    p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
  }

  private void addDispatcher(ChannelPipeline p) {
    p.addLast(DISPATCHER, new RequestDispatcher(context));
  }
}
