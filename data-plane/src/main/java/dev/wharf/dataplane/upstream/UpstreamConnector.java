package dev.wharf.dataplane.upstream;

import dev.wharf.dataplane.node.Transport;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
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
 * there is one, else a new connection registered on that same loop (so a client and its upstream
 * connection never cross threads). A connection to a TLS upstream is handed out only after its
 * handshake succeeded; a failed handshake is a failed connect. Shared by every listener of a node.
 *
 * <p>A new connection is made, configured, given its pipeline and registered here, then connected
 * at once, which is what a {@code Bootstrap} does too. Done by hand because every WebSocket (and
 * every request without a pooled connection) pays for it: a {@code Bootstrap} per connect costs its
 * option and attribute maps, a {@code ChannelInitializer} that joins the pipeline and leaves it
 * again, an address resolver lookup for an address already resolved, and a task to connect on the
 * loop the caller is already on.
 */
public final class UpstreamConnector implements UpstreamConnections {
  /**
   * Made once: looking the channel's constructor up by reflection for every connection was a
   * measurable part of a WebSocket handshake's cost.
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
    SocketChannel channel = channels.newChannel();
    channel
        .config()
        .setTcpNoDelay(true)
        .setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .setAutoRead(false);
    pipeline.init(channel.pipeline(), connection); // the handlers join when the loop registers it
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls != null) {
      tls.setHandshakeTimeoutMillis(Math.max(1, connectTimeout.toMillis()));
    }
    loop.register(channel)
        .addListener(
            registered -> {
              if (!registered.isSuccess()) {
                // As a Bootstrap does: a channel no loop took (one shutting down) has no
                // pipeline to close through, only its socket.
                channel.unsafe().closeForcibly();
                promise.setFailure(registered.cause());
                return;
              }
              connect(channel, endpoint, connection, tls, promise);
            });
    return promise;
  }

  /**
   * Connects a registered channel. An address that did not resolve when the snapshot was compiled
   * fails here, as a refused connect would (502), never resolved on the event loop.
   */
  private static void connect(
      SocketChannel channel,
      UpstreamEndpoint endpoint,
      UpstreamConnection connection,
      SslHandler tls,
      Promise<UpstreamConnection> promise) {
    ChannelFuture connect = channel.connect(endpoint.socketAddress());
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            channel.close();
            promise.setFailure(f.cause());
          } else if (tls == null) {
            promise.setSuccess(connection);
          } else {
            UpstreamHandshake.await(tls, connection, promise);
          }
        });
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
