package dev.wharf.dataplane.upstream;

import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream connections on embedded channels, for handler tests of an exchange: each connect opens
 * an {@link EmbeddedChannel} whose pipeline the given {@link UpstreamPipeline} builds, so what the
 * exchange writes comes out as real bytes ({@code readOutbound}) and a test plays the endpoint by
 * feeding bytes in ({@code writeInbound}). Released connections are pooled per endpoint, as the
 * real connector does, so a test can make a pooled connection go stale.
 *
 * <p>Not thread-safe: everything runs on the test thread, as embedded channels do.
 */
public final class EmbeddedUpstreams implements UpstreamConnections {
  private final UpstreamPipeline pipeline;
  private final Ticker ticker;
  private final Set<String> refusing = new HashSet<>();
  private final Set<String> timingOut = new HashSet<>();
  private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
  private final List<EmbeddedChannel> opened = new ArrayList<>();
  private final List<String> connects = new ArrayList<>();
  private final List<Runnable> deferred = new ArrayList<>();
  private boolean deferring;

  public EmbeddedUpstreams(UpstreamPipeline pipeline, Ticker ticker) {
    this.pipeline = pipeline;
    this.ticker = ticker;
  }

  /** Connects to {@code address} fail as a closed port does. */
  public void refuse(String address) {
    refusing.add(address);
  }

  /** Connects to {@code address} fail as an unanswered SYN does, after the connect timeout. */
  public void timeOut(String address) {
    timingOut.add(address);
  }

  /**
   * From now on a new connection is reported only when the test calls {@link #completeConnects}, as
   * a real connect completes on a later turn of the event loop.
   */
  public void deferConnects() {
    deferring = true;
  }

  /** Reports the connects deferred so far, and connects at once again. */
  public void completeConnects() {
    deferring = false;
    List<Runnable> now = List.copyOf(deferred);
    deferred.clear();
    now.forEach(Runnable::run);
  }

  /** Every connection opened so far, oldest first; the test closes them (finishAndReleaseAll). */
  public List<EmbeddedChannel> opened() {
    return opened;
  }

  /** The connection opened last. */
  public EmbeddedChannel last() {
    return opened.get(opened.size() - 1);
  }

  /** The addresses connected to, in order, refused ones included; pooled reuses are not. */
  public List<String> connects() {
    return connects;
  }

  @Override
  public Future<UpstreamConnection> acquire(
      EventLoop loop, UpstreamEndpoint endpoint, Duration connectTimeout, boolean allowPooled) {
    ArrayDeque<UpstreamConnection> pooled = idle.get(endpoint.address());
    while (allowPooled && pooled != null && !pooled.isEmpty()) {
      UpstreamConnection c = pooled.pollLast();
      if (c.channel().isActive()) {
        return loop.newSucceededFuture(c);
      }
    }
    connects.add(endpoint.address());
    if (refusing.contains(endpoint.address())) {
      return loop.newFailedFuture(
          new ConnectException("Connection refused: " + endpoint.address()));
    }
    if (timingOut.contains(endpoint.address())) {
      return loop.newFailedFuture(
          new ConnectTimeoutException(
              "connection timed out after " + connectTimeout + ": " + endpoint.address()));
    }
    UpstreamConnection connection = new UpstreamConnection(endpoint);
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).register(false).build();
    ch.config().setOption(ChannelOption.AUTO_READ, false);
    pipeline.init(ch.pipeline(), connection);
    try {
      ch.register();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    opened.add(ch);
    if (deferring) {
      Promise<UpstreamConnection> connecting = loop.newPromise();
      deferred.add(() -> connecting.setSuccess(connection));
      return connecting;
    }
    return loop.newSucceededFuture(connection);
  }

  @Override
  public void release(UpstreamConnection c, CompiledUpstream.PoolSettings settings) {
    c.detach();
    if (settings.maxIdlePerEndpoint() == 0 || !c.channel().isActive()) {
      c.channel().close();
      return;
    }
    idle.computeIfAbsent(c.endpoint().address(), a -> new ArrayDeque<>()).addLast(c);
  }

  /** Releases what every connection still holds; true when one had unread output. */
  public boolean finishAll() {
    boolean unread = false;
    for (EmbeddedChannel ch : opened) {
      unread |= ch.finishAndReleaseAll();
    }
    return unread;
  }
}
