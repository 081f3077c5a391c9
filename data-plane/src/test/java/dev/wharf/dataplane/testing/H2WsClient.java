package dev.wharf.dataplane.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * An HTTP/2 client for WebSockets over HTTP/2 (RFC 8441), built on Netty's HTTP/2 client: one
 * connection (TLS with ALPN {@code h2}, or cleartext with prior knowledge) on which any number of
 * WebSockets are opened as streams, each an {@link H2WebSocket}.
 *
 * <p>On connecting it waits for the server's first SETTINGS frame ({@link #serverSettings}): RFC
 * 8441 3 forbids an extended CONNECT before {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 1} arrived.
 * The client announces a 64 KiB window per stream (the HTTP/2 default) and opens the connection's
 * window to 16 MiB, as browsers do, so that one stream it does not read cannot take the whole
 * connection's window.
 *
 * <p>Every wait is bounded; a failed expectation is an AssertionError. Threading: one daemon event
 * loop per client; the methods may be called from any thread but the loop's.
 */
public final class H2WsClient implements AutoCloseable {
  /** How long connecting (TCP, TLS, the server's SETTINGS) may take. */
  static final Duration CONNECT_BOUND = Duration.ofSeconds(20);

  private static final int CONNECTION_WINDOW = 16 * 1024 * 1024;

  private final EventLoopGroup loop;
  private final Channel connection;
  private final String scheme;
  private final String authority;
  private final Http2Settings serverSettings;
  private final ConnectionEvents events;
  private final AtomicBoolean closed = new AtomicBoolean();

  private H2WsClient(
      EventLoopGroup loop,
      Channel connection,
      String scheme,
      String authority,
      Http2Settings serverSettings,
      ConnectionEvents events) {
    this.loop = loop;
    this.connection = connection;
    this.scheme = scheme;
    this.authority = authority;
    this.serverSettings = serverSettings;
    this.events = events;
  }

  /**
   * Connects over TLS to {@code address}, sending SNI {@code serverName}, trusting only {@code
   * caCertificate}, offering only {@code h2} in ALPN; fails unless the server chose {@code h2}.
   * {@code :authority} is {@code serverName:port}.
   */
  public static H2WsClient connectTls(
      InetSocketAddress address, String serverName, Path caCertificate) {
    SslContext tls;
    try {
      tls =
          SslContextBuilder.forClient()
              .trustManager(caCertificate.toFile())
              .applicationProtocolConfig(
                  new ApplicationProtocolConfig(
                      ApplicationProtocolConfig.Protocol.ALPN,
                      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                      ApplicationProtocolNames.HTTP_2))
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
    return connect(address, tls, serverName, "https");
  }

  /** Connects in cleartext to {@code address} with prior knowledge (h2c); {@code :scheme http}. */
  public static H2WsClient connectCleartext(InetSocketAddress address) {
    return connect(address, null, "127.0.0.1", "http");
  }

  private static H2WsClient connect(
      InetSocketAddress address, SslContext tls, String host, String scheme) {
    EventLoopGroup loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("h2ws-client", true), NioIoHandler.newFactory());
    ConnectionEvents events = new ConnectionEvents();
    try {
      Channel channel =
          new Bootstrap()
              .group(loop)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, address.getPort()));
                      }
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forClient().build())
                          .addLast(new Http2MultiplexHandler(new RefusePushes()))
                          .addLast(events);
                    }
                  })
              .connect(address)
              .syncUninterruptibly()
              .channel();
      if (tls != null) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        await(ssl.handshakeFuture(), "the TLS handshake");
        if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
          channel.close();
          throw new AssertionError("ALPN chose " + ssl.applicationProtocol() + ", not h2");
        }
      }
      Http2Settings settings = bounded(events.settings, "the server's SETTINGS frame");
      channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
      return new H2WsClient(
          loop, channel, scheme, host + ":" + address.getPort(), settings, events);
    } catch (RuntimeException | AssertionError e) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The server's first SETTINGS frame. */
  public Http2Settings serverSettings() {
    return serverSettings;
  }

  /** Whether the server announced {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 1}. */
  public boolean connectProtocolEnabled() {
    return Boolean.TRUE.equals(serverSettings.connectProtocolEnabled());
  }

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return connection.isActive();
  }

  /** Whether the server sent GOAWAY. */
  public boolean goAwayReceived() {
    return events.goAway.isDone();
  }

  /** The head of an extended CONNECT for a WebSocket at {@code path} (RFC 8441 4 and 5). */
  public Http2Headers webSocketHead(String path) {
    Http2Headers head =
        new DefaultHttp2Headers().method("CONNECT").scheme(scheme).path(path).authority(authority);
    head.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
    head.set("sec-websocket-version", "13");
    return head;
  }

  /**
   * Opens a WebSocket at {@code path} and expects it accepted ({@code :status 200}); {@code
   * protocols}, when given, are offered in {@code sec-websocket-protocol}.
   */
  public H2WebSocket open(String path, String... protocols) {
    Http2Headers head = webSocketHead(path);
    if (protocols.length > 0) {
      head.set("sec-websocket-protocol", String.join(", ", protocols));
    }
    H2WebSocket ws = request(head);
    if (!"200".contentEquals(ws.status())) {
      ws.reset();
      throw new AssertionError("WebSocket at " + path + " answered " + ws.responseHead());
    }
    return ws;
  }

  /**
   * Opens a WebSocket at {@code path} and sends {@code text} in a text frame right behind the
   * CONNECT, before the {@code 200} arrived (RFC 8441 does not make a client wait); then expects
   * the {@code 200}.
   */
  public H2WebSocket openEagerly(String path, String text) {
    Http2StreamChannel stream =
        await(new Http2StreamChannelBootstrap(connection).open(), "a new stream").getNow();
    H2WebSocket ws = H2WebSocket.on(stream);
    ws.sendHead(webSocketHead(path));
    ws.sendText(text);
    ws.awaitResponseHead();
    if (!"200".contentEquals(ws.status())) {
      ws.reset();
      throw new AssertionError("WebSocket at " + path + " answered " + ws.responseHead());
    }
    return ws;
  }

  /**
   * Opens a stream with {@code head} (not ending the stream) and waits for the response head; the
   * returned stream tells the status, and decodes WebSocket frames only after a {@code 200}.
   */
  public H2WebSocket request(Http2Headers head) {
    Http2StreamChannel stream =
        await(new Http2StreamChannelBootstrap(connection).open(), "a new stream").getNow();
    H2WebSocket ws = H2WebSocket.on(stream);
    ws.sendHead(head);
    ws.awaitResponseHead();
    return ws;
  }

  /** Closes the connection and the client's event loop; bounded. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connection.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private static <F extends io.netty.util.concurrent.Future<?>> F await(F future, String what) {
    if (!future.awaitUninterruptibly(CONNECT_BOUND.toMillis())) {
      throw new AssertionError("no " + what + " within " + CONNECT_BOUND);
    }
    if (!future.isSuccess()) {
      throw new AssertionError(what + " failed", future.cause());
    }
    return future;
  }

  static <T> T bounded(CompletableFuture<T> future, String what) {
    return bounded(future, CONNECT_BOUND, what);
  }

  static <T> T bounded(CompletableFuture<T> future, Duration bound, String what) {
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no " + what + " within " + bound);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** The connection's own frames: the server's SETTINGS and GOAWAY. */
  private static final class ConnectionEvents extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    final CompletableFuture<Long> goAway = new CompletableFuture<>();

    @Override
    public boolean isSharable() {
      return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame frame) {
        settings.complete(frame.settings());
      } else if (msg instanceof Http2GoAwayFrame frame) {
        goAway.complete(frame.errorCode());
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      settings.completeExceptionally(new AssertionError("the connection closed"));
      ctx.fireChannelInactive();
    }
  }

  /** Streams the server opens (pushes, which a server must not send when we forbid them). */
  private static final class RefusePushes extends ChannelInboundHandlerAdapter {
    @Override
    public boolean isSharable() {
      return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }
}
