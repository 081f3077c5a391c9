package dev.wharf.dataplane;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The data plane's native transport loads and serves on the platforms we ship for: Linux x86_64 and
 * aarch64 (os.arch {@code amd64} / {@code aarch64}); the natives come from netty-all and the
 * aarch64 classifier jar.
 */
@Timeout(30)
@EnabledOnOs(
    value = OS.LINUX,
    architectures = {"amd64", "aarch64"})
class NativeTransportTest {

  @Test
  void epollIsAvailable() {
    if (!Epoll.isAvailable()) {
      Epoll.unavailabilityCause().printStackTrace();
    }
    assertTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
  }

  @Test
  void epollEchoServerSendsBackWhatAPlainSocketWrites() throws Exception {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    AtomicReference<Channel> accepted = new AtomicReference<>();
    try {
      ChannelFuture bound =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(EpollServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      accepted.set(channel);
                      channel.pipeline().addLast(new Echo());
                    }
                  })
              .bind(InetAddress.getLoopbackAddress(), 0);
      assertTrue(
          bound.await(5, SECONDS) && bound.isSuccess(), () -> "bind failed: " + bound.cause());
      Channel server = bound.channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();

      byte[] sent = "hello over epoll\n".getBytes(StandardCharsets.US_ASCII);
      byte[] received;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        out.write(sent);
        out.flush();
        InputStream in = socket.getInputStream();
        received = in.readNBytes(sent.length);
      }

      assertArrayEquals(sent, received);
      assertInstanceOf(EpollServerSocketChannel.class, server);
      assertInstanceOf(EpollSocketChannel.class, accepted.get());
      server.close().await(5, SECONDS);
    } finally {
      workers.shutdownGracefully(0, 2, SECONDS).await(10, SECONDS);
      boss.shutdownGracefully(0, 2, SECONDS).await(10, SECONDS);
    }
  }

  /** Writes every inbound buffer straight back; the write releases it. */
  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ctx.writeAndFlush(message);
    }
  }
}
