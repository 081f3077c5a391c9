package dev.wharf.dataplane.upstream;

import dev.wharf.dataplane.node.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.Set;

/**
 * Gives exchanges connections to endpoints: an idle pooled one of the caller's event loop when
 * there is one, else a new connection bootstrapped on that same loop (so a client and its upstream
 * connection never cross threads). A connection to a TLS upstream is handed out only after its
 * handshake succeeded; a failed handshake is a failed connect. Shared by every listener of a node.
 */
public final class UpstreamConnector implements UpstreamConnections {
  /**
   * Made once: {@code Bootstrap.channel(Class)} would look the constructor up by reflection again
   * for every connection, a measurable part of a WebSocket handshake's cost.
   */
  private final ChannelFactory<? extends SocketChannel> channels;

  private final UpstreamPipeline pipeline;
  private final FastThreadLocal<UpstreamPool> pools =
      new FastThreadLocal<>() {
        @Override
        protected UpstreamPool initialValue() {
          return new UpstreamPool();
        }
      };

  public UpstreamConnector(Transport transport, UpstreamPipeline pipeline) {
    this.channels = new ReflectiveChannelFactory<>(transport.clientChannel());
    this.pipeline = pipeline;
  }

  /** Must be called on {@code loop}: its pool is the one looked into. */
  @Override
  public Future<UpstreamConnection> acquire(
      EventLoop loop, UpstreamEndpoint endpoint, Duration connectTimeout, boolean allowPooled) {
    Promise<UpstreamConnection> promise = loop.newPromise();
    UpstreamConnection pooled = allowPooled ? pools.get().poll(endpoint) : null;
    if (pooled != null) {
      return promise.setSuccess(pooled);
    }
    UpstreamConnection connection = new UpstreamConnection(endpoint);
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channelFactory(channels)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    pipeline.init(ch.pipeline(), connection);
                    SslHandler tls = ch.pipeline().get(SslHandler.class);
                    if (tls != null) {
                      tls.setHandshakeTimeoutMillis(Math.max(1, connectTimeout.toMillis()));
                    }
                  }
                })
            .connect(endpoint.socketAddress());
    connect.addListener(
        f -> {
          SslHandler tls = connect.channel().pipeline().get(SslHandler.class);
          if (!f.isSuccess()) {
            promise.setFailure(f.cause());
          } else if (tls == null) {
            promise.setSuccess(connection);
          } else {
            UpstreamHandshake.await(tls, connection, promise);
          }
        });
    return promise;
  }

  /**
   * Closes idle pooled connections to endpoints that are not in {@code addresses} any more, on each
   * of {@code loops} (each loop's pool is its own). A connection in use finishes its request;
   * pooled again afterwards, it closes at the pool's idle timeout.
   */
  public void retainEndpoints(EventLoopGroup loops, Set<String> addresses) {
    Set<String> keep = Set.copyOf(addresses);
    for (EventExecutor loop : loops) {
      loop.execute(() -> pools.get().retain(keep));
    }
  }

  /** Pools {@code c} on the current event loop, or closes it. */
  @Override
  public void release(UpstreamConnection c, CompiledUpstream.PoolSettings settings) {
    c.detach();
    pools.get().offer(c, settings);
  }
}
