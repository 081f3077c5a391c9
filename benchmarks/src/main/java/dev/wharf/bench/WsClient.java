package dev.wharf.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Opens client WebSockets to one {@code ws://} or {@code wss://} URL. Over {@code wss://} the
 * client runs the JDK's TLS engine, trusting the given PEM certificates (or the JDK's trust store),
 * and checks the server's certificate against the URL's host. Frames are masked as RFC 6455
 * requires of clients; close frames are left to {@link LoadConnection}, which runs the closing
 * handshake itself so it can tell clean closes from abnormal ones.
 */
final class WsClient implements AutoCloseable {
  private static final int MAX_FRAME_PAYLOAD = 1 << 20;

  private final URI url;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final WebSocketClientProtocolConfig protocol;
  private final SslContext tls; // null for ws://

  WsClient(URI url, int threads, Duration handshakeTimeout) {
    this(url, null, threads, handshakeTimeout);
  }

  /**
   * A client for {@code url}; {@code trusted} names a PEM file of certificates to trust over {@code
   * wss://} (null: the JDK's trust store).
   */
  WsClient(URI url, Path trusted, int threads, Duration handshakeTimeout) {
    boolean secure = "wss".equals(url.getScheme());
    if (!(secure || "ws".equals(url.getScheme())) || url.getHost() == null) {
      throw new IllegalArgumentException(
          "url: " + url + " (expected: ws://HOST:PORT/PATH or wss://HOST:PORT/PATH)");
    }
    this.url = url;
    this.tls = secure ? clientTls(trusted) : null;
    Transport transport = Transport.best();
    this.group = transport.newGroup(threads, "ws-load");
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(transport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) handshakeTimeout.toMillis());
    this.protocol =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(url)
            .maxFramePayloadLength(MAX_FRAME_PAYLOAD)
            .performMasking(true)
            .handleCloseFrames(false)
            .sendCloseFrame(null)
            .handshakeTimeoutMillis(handshakeTimeout.toMillis())
            .build();
  }

  private static SslContext clientTls(Path trusted) {
    SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
    if (trusted != null) {
      builder.trustManager(trusted.toFile());
    }
    try {
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "trusted certificates " + trusted + ": " + LoadConnection.describe(e), e);
    }
  }

  /** Connects and starts the handshake; the outcome reaches {@code connection}'s tracker. */
  Channel connect(LoadConnection connection) {
    ChannelFuture connected =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls != null) {
                      // The upgrade request waits in the handler until the handshake is done.
                      ch.pipeline()
                          .addLast("tls", tls.newHandler(ch.alloc(), url.getHost(), port()));
                    }
                    addHttpCodec(ch.pipeline());
                    ch.pipeline()
                        .addLast("websocket-client", new WebSocketClientProtocolHandler(protocol));
                    ch.pipeline().addLast("load", connection);
                  }
                })
            .connect(url.getHost(), port());
    connected.addListener(
        f -> {
          if (!f.isSuccess()) {
            connection.connectFailed(f.cause());
          }
        });
    return connected.channel();
  }

  private static void addHttpCodec(ChannelPipeline p) {
    // Both are removed by the handshaker once the 101 has arrived.
    p.addLast("http-codec", new HttpClientCodec());
    p.addLast("http-aggregator", new HttpObjectAggregator(16 * 1024));
  }

  private int port() {
    if (url.getPort() != -1) {
      return url.getPort();
    }
    return tls != null ? 443 : 80;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
