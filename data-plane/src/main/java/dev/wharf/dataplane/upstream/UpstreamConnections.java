package dev.wharf.dataplane.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * Where an exchange gets its connection to an endpoint and gives it back. The node's {@link
 * UpstreamConnector} connects and pools; a test can hand out connections whose channels it drives
 * itself. Called on the exchange's event loop.
 */
public interface UpstreamConnections {
  /**
   * A connection to {@code endpoint}, used on {@code loop}. The future fails with the connect error
   * (a {@code ConnectTimeoutException} after {@code connectTimeout}).
   *
   * @param allowPooled false to insist on a new connection (after a pooled one turned out dead)
   */
  Future<UpstreamConnection> acquire(
      EventLoop loop, UpstreamEndpoint endpoint, Duration connectTimeout, boolean allowPooled);

  /** The exchange is done with {@code c}, which may serve another request: keep or close it. */
  void release(UpstreamConnection c, CompiledUpstream.PoolSettings settings);
}
