package dev.wharf.dataplane.node;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;

/**
 * The socket transport, one choice per process: native epoll where Netty can load it (Linux), NIO
 * elsewhere, unless {@code --transport} forced one ({@link #choose}). io_uring is there to be
 * forced: measured on the keep-alive proxy path it did not beat epoll (docs/performance.md), so
 * {@code auto} does not pick it.
 */
public enum Transport {
  EPOLL,
  IO_URING,
  NIO;

  private static volatile Transport chosen;

  /** The transport of this process: the one {@link #choose chosen}, else the best available. */
  public static Transport best() {
    Transport forced = chosen;
    if (forced != null) {
      return forced;
    }
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /**
   * Forces the transport of this process ({@code auto}, {@code epoll}, {@code io_uring}, {@code
   * nio}); call before the first node starts.
   *
   * @throws IllegalArgumentException for an unknown name, or a native transport this machine cannot
   *     load (with Netty's reason)
   */
  public static void choose(String name) {
    String key = name.strip().toLowerCase(Locale.ROOT);
    Transport forced =
        switch (key) {
          case "auto" -> null;
          case "epoll" -> EPOLL;
          case "io_uring", "io-uring", "iouring" -> IO_URING;
          case "nio" -> NIO;
          default ->
              throw new IllegalArgumentException(
                  "--transport: " + name + " (expected: auto, epoll, io_uring or nio)");
        };
    if (forced != null && !forced.available()) {
      throw new IllegalArgumentException(
          "--transport: " + key + " is not available here: " + forced.unavailabilityCause());
    }
    chosen = forced;
  }

  /** Whether this transport can run in this process. */
  public boolean available() {
    return switch (this) {
      case EPOLL -> Epoll.isAvailable();
      case IO_URING -> IoUring.isAvailable();
      case NIO -> true;
    };
  }

  /** Why a native transport cannot run, or null. */
  public Throwable unavailabilityCause() {
    return switch (this) {
      case EPOLL -> Epoll.unavailabilityCause();
      case IO_URING -> IoUring.unavailabilityCause();
      case NIO -> null;
    };
  }

  /** The name {@code --transport} takes and {@code --version} prints. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public EventLoopGroup newGroup(int threads, String name) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory(name, true);
    return new MultiThreadIoEventLoopGroup(threads, threadFactory, handlerFactory());
  }

  private IoHandlerFactory handlerFactory() {
    return switch (this) {
      case EPOLL -> EpollIoHandler.newFactory();
      case IO_URING -> IoUringIoHandler.newFactory();
      case NIO -> NioIoHandler.newFactory();
    };
  }

  public Class<? extends ServerChannel> serverChannel() {
    return switch (this) {
      case EPOLL -> EpollServerSocketChannel.class;
      case IO_URING -> IoUringServerSocketChannel.class;
      case NIO -> NioServerSocketChannel.class;
    };
  }

  public Class<? extends SocketChannel> clientChannel() {
    return switch (this) {
      case EPOLL -> EpollSocketChannel.class;
      case IO_URING -> IoUringSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }
}
