package dev.wharf.dataplane.admin;

import dev.wharf.dataplane.node.Transport;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin HTTP/1.1 server, on its own port (never a traffic listener's): {@code /metrics}
 * (Prometheus text), {@code /healthz}, {@code /readyz}, {@code /config} (YAML) and {@code
 * /config/version} (JSON). Only GET and HEAD; see {@link AdminHandler}.
 *
 * <p>Threading: the server owns one event loop thread ({@code wharf-admin}) that accepts and serves
 * every admin connection. Requests are handled on it, the Prometheus scrape and the config's YAML
 * rendering included: that takes milliseconds, and this loop carries no proxy traffic, so a slow
 * scrape can delay only other admin requests.
 *
 * <p>Shutdown order ({@link #close}): close the listening socket, then stop the event loop, which
 * closes the admin connections still open.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  static final String IDLE = "idle";
  static final String HTTP_CODEC = "http-codec";
  static final String AGGREGATOR = "aggregator";
  static final String KEEP_ALIVE = "keep-alive";
  static final String ADMIN = "admin";

  /** Admin requests are GET and HEAD: a short head, no body worth keeping. */
  private static final int MAX_HEAD = 8 * 1024;

  private static final int MAX_BODY = 4 * 1024;

  /** An admin connection with nothing to do for this long is closed. */
  private static final int IDLE_SECONDS = 60;

  private final EventLoopGroup group;
  private final Channel channel;

  private AdminServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /**
   * Binds {@code bind} and starts serving.
   *
   * @throws IOException the address could not be bound; the message names it
   */
  public static AdminServer start(
      Transport transport,
      InetSocketAddress bind,
      PrometheusMeterRegistry registry,
      AdminState state)
      throws IOException {
    EventLoopGroup group = transport.newGroup(1, "wharf-admin");
    AdminHandler handler = new AdminHandler(registry, state, Clock.systemUTC());
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    addIdleTimeout(p);
                    addHttpCodec(p);
                    addKeepAlive(p);
                    addAdmin(p, handler);
                  }
                })
            .bind(bind)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
      Throwable cause = bound.cause();
      throw new IOException(
          "admin server cannot bind "
              + bind.getHostString()
              + ":"
              + bind.getPort()
              + ": "
              + cause.getMessage(),
          cause);
    }
    log.info("admin server bound to {}", bound.channel().localAddress());
    return new AdminServer(group, bound.channel());
  }

  private static void addIdleTimeout(ChannelPipeline p) {
    p.addLast(IDLE, new IdleStateHandler(0, 0, IDLE_SECONDS));
  }

  private static void addHttpCodec(ChannelPipeline p) {
    p.addLast(
        HTTP_CODEC,
        new HttpServerCodec(
            new HttpDecoderConfig().setMaxInitialLineLength(MAX_HEAD).setMaxHeaderSize(MAX_HEAD)));
    p.addLast(AGGREGATOR, new HttpObjectAggregator(MAX_BODY));
  }

  private static void addKeepAlive(ChannelPipeline p) {
    p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
  }

  private static void addAdmin(ChannelPipeline p, AdminHandler handler) {
    p.addLast(ADMIN, handler);
  }

  /** The bound address (its port is the real one when {@code start} was given port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Stops listening and closes every admin connection; waits until the loop has stopped. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
