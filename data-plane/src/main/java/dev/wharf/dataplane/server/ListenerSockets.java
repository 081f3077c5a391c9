package dev.wharf.dataplane.server;

import dev.wharf.dataplane.node.Transport;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets of a {@link DataPlaneNode}, by listener name.
 *
 * <p>Binding comes in two steps so that an apply stays all or nothing: {@link #bindNew} binds what
 * a config adds or moves before the snapshot swap (and closes them again if one fails, leaving the
 * node as it was); {@link #retire} runs after the swap and closes what the config dropped or
 * replaced. A closed socket only stops accepting; its open connections are left to finish.
 *
 * <p>Threading: not thread-safe; the node calls it under its own lock, never on an event loop.
 */
final class ListenerSockets {
  // Under the node's name: operators' log settings for the node keep covering this line.
  private static final Logger log = LoggerFactory.getLogger(DataPlaneNode.class);

  /** A listener's config and the socket bound for it. */
  record Bound(Listener config, Channel channel) {}

  private final Transport transport;
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final Function<String, ChannelHandler> frontend;
  private final Map<String, Bound> bound = new HashMap<>();

  /**
   * @param frontend the pipeline initializer for the connections of the listener of that name
   */
  ListenerSockets(
      Transport transport,
      EventLoopGroup acceptors,
      EventLoopGroup workers,
      Function<String, ChannelHandler> frontend) {
    this.transport = transport;
    this.acceptors = acceptors;
    this.workers = workers;
    this.frontend = frontend;
  }

  /**
   * Binds the listeners of {@code config} that are new or whose address or port changed; the others
   * keep their socket. Nothing is in use until {@link #retire}.
   *
   * @throws ListenerBindException one could not bind; those bound by this call are closed again
   */
  Map<String, Bound> bindNew(List<Listener> config) throws ListenerBindException {
    Map<String, Bound> added = new HashMap<>();
    for (Listener l : config) {
      Bound current = bound.get(l.getName());
      if (current == null || !sameSocket(l, current.config())) {
        try {
          added.put(l.getName(), new Bound(l, bind(l)));
        } catch (ListenerBindException e) {
          added.values().forEach(b -> b.channel().close().syncUninterruptibly());
          throw e;
        }
      }
    }
    return added;
  }

  /**
   * Closes the sockets of listeners {@code config} no longer has or that {@code added} replaces,
   * then takes {@code added} (from {@link #bindNew} of the same config) in.
   */
  void retire(Config config, Map<String, Bound> added) {
    for (var it = bound.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      boolean kept =
          config.getListenersList().stream().anyMatch(l -> l.getName().equals(entry.getKey()));
      if (!kept || added.containsKey(entry.getKey())) {
        entry.getValue().channel().close().syncUninterruptibly();
        it.remove();
      }
    }
    bound.putAll(added);
  }

  /** The address a listener is bound to, or null if it is not. */
  InetSocketAddress address(String listener) {
    Bound b = bound.get(listener);
    return b == null ? null : (InetSocketAddress) b.channel().localAddress();
  }

  /** Closes every listening socket; open connections are untouched. */
  void closeAll() {
    bound.values().forEach(b -> b.channel().close().syncUninterruptibly());
    bound.clear();
  }

  private Channel bind(Listener l) throws ListenerBindException {
    String host = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
    ChannelFuture result =
        new ServerBootstrap()
            .group(acceptors, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(frontend.apply(l.getName()))
            .bind(host, l.getPort())
            .awaitUninterruptibly();
    if (!result.isSuccess()) {
      throw new ListenerBindException(l.getName(), host + ":" + l.getPort(), result.cause());
    }
    log.info("listener {} bound to {}", l.getName(), result.channel().localAddress());
    return result.channel();
  }

  private static boolean sameSocket(Listener a, Listener b) {
    return a.getAddress().equals(b.getAddress()) && a.getPort() == b.getPort();
  }
}
