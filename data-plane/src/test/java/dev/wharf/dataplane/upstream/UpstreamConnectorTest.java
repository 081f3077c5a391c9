package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.node.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * New connections to endpoints over real sockets: made with the settings every exchange relies on
 * (no Nagle, no read before the exchange asks, only the upstream pipeline's handlers), and failed
 * precisely when the endpoint cannot be reached.
 */
class UpstreamConnectorTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final long BOUND_SECONDS = 10;

  private final EventLoopGroup group = Transport.best().newGroup(1, "connector-test");
  private final EventLoop loop = group.next();
  private final UpstreamConnector connector =
      new UpstreamConnector(Transport.best(), (p, c) -> p.addLast("upstream", c));

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static UpstreamEndpoint endpoint(InetSocketAddress address) {
    String text = address.getHostString() + ":" + address.getPort();
    return new UpstreamEndpoint("u", text, address, 1, new EndpointRegistry().statsFor("u", text));
  }

  private Future<UpstreamConnection> acquire(UpstreamEndpoint endpoint) throws Exception {
    Future<UpstreamConnection> f =
        loop.submit(() -> connector.acquire(loop, endpoint, CONNECT_TIMEOUT, true))
            .get(BOUND_SECONDS, TimeUnit.SECONDS);
    assertTrue(f.await(BOUND_SECONDS, TimeUnit.SECONDS), "no answer within the bound");
    return f;
  }

  @Test
  void aNewConnectionIsOpenWithNoDelayNoAutoReadAndOnlyThePipelinesHandlers() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<UpstreamConnection> f =
          acquire(endpoint(new InetSocketAddress(server.getInetAddress(), server.getLocalPort())));
      try (Socket accepted = server.accept()) {
        assertTrue(f.isSuccess(), () -> "connect failed: " + f.cause());
        UpstreamConnection connection = f.getNow();
        Channel channel = connection.channel();
        assertNotNull(channel, "the connection handler was never added");
        assertTrue(channel.isActive());
        assertSame(loop, channel.eventLoop(), "the connection left the caller's loop");
        assertTrue(channel.config().getOption(ChannelOption.TCP_NODELAY));
        assertFalse(channel.config().isAutoRead(), "an upstream connection must not read alone");
        assertEquals((int) CONNECT_TIMEOUT.toMillis(), channel.config().getConnectTimeoutMillis());
        assertEquals(List.of("upstream"), channel.pipeline().names().subList(0, 1));
        assertEquals(2, channel.pipeline().names().size(), "handlers besides the tail");
        channel.close().syncUninterruptibly();
      }
    }
  }

  @Test
  void aRefusedConnectFailsAsRefused() throws Exception {
    InetSocketAddress closed;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }
    Future<UpstreamConnection> f = acquire(endpoint(closed));
    assertFalse(f.isSuccess());
    assertInstanceOf(ConnectException.class, f.cause(), () -> String.valueOf(f.cause()));
  }

  @Test
  void anAddressThatDidNotResolveFailsWithoutBeingResolvedOnTheLoop() throws Exception {
    Future<UpstreamConnection> f =
        acquire(endpoint(InetSocketAddress.createUnresolved("endpoint.invalid", 80)));
    assertFalse(f.isSuccess());
    assertInstanceOf(UnresolvedAddressException.class, f.cause(), () -> String.valueOf(f.cause()));
  }
}
