package dev.wharf.dataplane.server;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigValidator;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data-plane node: its event loops, its listeners, and the routing table they share.
 *
 * <p>{@link #apply} validates and compiles a config on the calling thread (never an event
 * loop), then publishes the new routing table with one reference swap; requests already
 * started keep the table they read. Listeners added by a config are bound, removed ones closed.
 *
 * <p>Shutdown order ({@link #close}): close the listening sockets, then let the event loops
 * finish what they have queued, then stop them.
 */
public final class DataPlaneNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataPlaneNode.class);

  private final Transport transport;
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final Clock clock;
  private final String hostname;
  private final AtomicReference<RoutingTable> routes = new AtomicReference<>();
  private final Map<String, Bound> listeners = new HashMap<>();

  private record Bound(Listener config, Channel channel) {}

  public DataPlaneNode(Transport transport, int workerThreads, Clock clock, String hostname) {
    this.transport = transport;
    this.acceptors = transport.newGroup(1, "wharf-accept");
    this.workers = transport.newGroup(workerThreads, "wharf-io");
    this.clock = clock;
    this.hostname = hostname;
  }

  /**
   * Validates, compiles and swaps in {@code config}. All or nothing: when the config is invalid
   * or a new listener cannot bind, nothing changes and the node keeps serving the old config.
   *
   * <p>Order: bind listeners that are new, swap the routing table, then close listeners the
   * config no longer has (their open connections are left to finish).
   *
   * @throws ConfigException the config is invalid
   * @throws ListenerBindException a new listener could not bind its address
   */
  public synchronized void apply(Config config) throws ConfigException, ListenerBindException {
    ConfigValidator.requireValid(config);
    RoutingTable table = RoutingTable.compile(config);
    Map<String, Listener> wanted = new HashMap<>();
    config.getListenersList().forEach(l -> wanted.put(l.getName(), l));

    Map<String, Bound> added = new HashMap<>();
    for (Listener l : config.getListenersList()) {
      Bound current = listeners.get(l.getName());
      if (current == null || !sameSocket(l, current.config())) {
        try {
          added.put(l.getName(), new Bound(l, bind(l)));
        } catch (ListenerBindException e) {
          added.values().forEach(b -> b.channel().close().syncUninterruptibly());
          throw e;
        }
      }
    }
    routes.set(table);
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!wanted.containsKey(entry.getKey()) || added.containsKey(entry.getKey())) {
        entry.getValue().channel().close().syncUninterruptibly();
        it.remove();
      }
    }
    listeners.putAll(added);
  }

  /** The address a listener is bound to (its port is the real one when the config said 0). */
  public synchronized InetSocketAddress address(String listener) {
    Bound b = listeners.get(listener);
    return b == null ? null : (InetSocketAddress) b.channel().localAddress();
  }

  private Channel bind(Listener l) throws ListenerBindException {
    String host = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
    ListenerContext context = new ListenerContext(l.getName(), routes::get, clock, hostname,
        DataPlaneNode::newRequestId);
    ChannelFuture bound = new ServerBootstrap()
        .group(acceptors, workers)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new HttpFrontendInitializer(l, context))
        .bind(host, l.getPort())
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new ListenerBindException(l.getName(), host + ":" + l.getPort(), bound.cause());
    }
    log.info("listener {} bound to {}", l.getName(), bound.channel().localAddress());
    return bound.channel();
  }

  private static boolean sameSocket(Listener a, Listener b) {
    return a.getAddress().equals(b.getAddress()) && a.getPort() == b.getPort();
  }

  /** 128 random bits in hex, like nginx's {@code $request_id}. */
  private static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
        .putLong(r.nextLong()).putLong(r.nextLong()).array());
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(b -> b.channel().close().syncUninterruptibly());
    listeners.clear();
    acceptors.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
