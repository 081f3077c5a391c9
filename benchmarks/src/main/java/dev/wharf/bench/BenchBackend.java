package dev.wharf.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The backend behind both proxies: any HTTP request is answered {@code 200 hello\n} (keep-alive
 * unless the request says otherwise) and {@code /ws} is upgraded to a WebSocket that echoes every
 * data frame.
 *
 * <p>One event-loop thread, as each proxy gets one worker: on a small machine the backend must not
 * take the cores the proxy under test needs. Usage: {@code BenchBackend [PORT]} (0 or none for an
 * ephemeral port); it binds 127.0.0.1, prints {@code listening PORT} and serves until killed.
 */
public final class BenchBackend implements AutoCloseable {
  static final String WEBSOCKET_PATH = "/ws";
  private static final int MAX_FRAME_PAYLOAD = 1 << 20;

  private final EventLoopGroup group;
  private final Channel server;

  private BenchBackend(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /** Binds 127.0.0.1:{@code port} ({@code 0}: ephemeral) and starts serving. */
  static BenchBackend start(int port) throws InterruptedException {
    return start(port, null);
  }

  /** As {@link #start(int)}, over TLS with {@code tls} unless it is null (the tools' tests). */
  static BenchBackend start(int port, SslContext tls) throws InterruptedException {
    Transport transport = Transport.best();
    EventLoopGroup group = transport.newGroup(1, "bench-backend");
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(transport.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 4096)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (tls != null) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                      }
                      addHttpCodec(ch.pipeline());
                      addWebSocketUpgrade(ch.pipeline());
                      ch.pipeline().addLast("respond-or-echo", new BackendHandler());
                    }
                  })
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
              .sync()
              .channel();
      return new BenchBackend(group, server);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static void addHttpCodec(ChannelPipeline p) {
    p.addLast("http-codec", new HttpServerCodec());
    p.addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
  }

  /** Upgrades {@code /ws} only; every other request, upgrade or not, gets the fixed answer. */
  private static void addWebSocketUpgrade(ChannelPipeline p) {
    p.addLast(
        "websocket-upgrade",
        new WebSocketServerProtocolHandler(
            WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(false)
                .maxFramePayloadLength(MAX_FRAME_PAYLOAD)
                .build()));
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 1 || (args.length == 1 && !args[0].matches("\\d{1,5}"))) {
      System.err.println("usage: BenchBackend [PORT]   (0 or none: an ephemeral port)");
      System.exit(2);
    }
    int port = args.length == 1 ? Integer.parseInt(args[0]) : 0;
    BenchBackend backend = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  backend.close();
                  stopped.countDown();
                },
                "bench-backend-shutdown"));
    PrintStream out = System.out;
    out.println("listening " + backend.port());
    out.flush();
    stopped.await();
  }
}
