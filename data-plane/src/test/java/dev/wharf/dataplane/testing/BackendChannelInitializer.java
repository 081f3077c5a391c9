package dev.wharf.dataplane.testing;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * Builds a backend connection's pipeline: HTTP codec, a writer for streamed bodies, then the
 * handler that picks a behaviour per request. A WebSocket upgrade later swaps the last one for the
 * echo handler (see {@link WebSocketUpgrade}).
 *
 * <p>Threading: runs on the backend's event loop, once per accepted connection, in accept order,
 * which is what makes connection numbers match accept order.
 */
final class BackendChannelInitializer extends ChannelInitializer<SocketChannel> {
  static final String HTTP_CODEC = "http-codec";
  static final String BODY_WRITER = "body-writer";
  static final String BEHAVIOURS = "behaviours";

  /** Generous limits: the proxy under test decides what is too big, not its backend. */
  private static final HttpDecoderConfig DECODER_CONFIG =
      new HttpDecoderConfig().setMaxInitialLineLength(64 * 1024).setMaxHeaderSize(256 * 1024);

  private final String backendName;
  private final BackendLog log;
  private final ChannelGroup connections;
  private final BackendTls tls;

  /**
   * @param tls for an HTTPS backend, else null
   */
  BackendChannelInitializer(
      String backendName, BackendLog log, ChannelGroup connections, BackendTls tls) {
    this.backendName = backendName;
    this.log = log;
    this.connections = connections;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    int connectionNumber = log.connectionOpened();
    ch.closeFuture().addListener(f -> log.connectionClosed());
    connections.add(ch);
    if (tls != null) {
      tls.addTo(ch.pipeline());
    }
    ch.pipeline()
        .addLast(HTTP_CODEC, new HttpServerCodec(DECODER_CONFIG))
        .addLast(BODY_WRITER, new ChunkedWriteHandler())
        .addLast(BEHAVIOURS, new HttpBehaviourHandler(backendName, connectionNumber, log));
  }
}
