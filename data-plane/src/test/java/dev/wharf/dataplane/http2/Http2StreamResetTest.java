package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.H2Node.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that resets its stream in the middle of a response (RST_STREAM CANCEL, what a browser
 * does when a tab is closed): the backend request is abandoned and its connection closed, as when
 * an HTTP/1.1 client closes its connection, and the client's connection serves the next stream.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2StreamResetTest {
  @TempDir Path dir;
  TestBackend backend;
  H2Node h2;
  EventLoopGroup group;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("r");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    h2 =
        H2Node.start(
            dir,
            "",
            """
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: app}
        """
                .formatted(backend.endpoint()));
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aStreamResetMidResponseClosesTheBackendRequestAndTheConnectionGoesOn() throws Exception {
    Channel connection =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  }
                })
            .connect(h2.node.address("clear"))
            .sync()
            .channel();
    try {
      CompletableFuture<Long> reset = new CompletableFuture<>();
      Http2StreamChannel big = open(connection, new ResetAfterFirstData(reset));
      big.writeAndFlush(new DefaultHttp2HeadersFrame(get("/bytes/50000000"), true));
      assertEquals(true, reset.get(WAIT.toSeconds(), TimeUnit.SECONDS) > 0);
      Await.until(
          WAIT,
          () -> backend.openConnections() == 0,
          () -> "backend connections still open: " + backend.openConnections());
      assertEquals("/bytes/50000000", backend.takeRequest(WAIT).uri());

      CompletableFuture<String> status = new CompletableFuture<>();
      Http2StreamChannel next = open(connection, new StatusOf(status));
      next.writeAndFlush(new DefaultHttp2HeadersFrame(get("/status/200"), true));
      assertEquals("200", status.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertEquals(true, connection.isActive(), "the connection outlived the reset stream");
    } finally {
      connection.close().syncUninterruptibly();
    }
  }

  private Http2StreamChannel open(Channel connection, ChannelInboundHandlerAdapter handler)
      throws InterruptedException {
    return new Http2StreamChannelBootstrap(connection).handler(handler).open().sync().getNow();
  }

  private Http2Headers get(String path) {
    return new DefaultHttp2Headers().method("GET").scheme("http").authority("127.0.0.1").path(path);
  }

  /** Closes its stream (RST_STREAM CANCEL) once the first body bytes arrive. */
  private static final class ResetAfterFirstData extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Long> reset;

    ResetAfterFirstData(CompletableFuture<Long> reset) {
      this.reset = reset;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2DataFrame data && !reset.isDone()) {
          reset.complete((long) data.content().readableBytes());
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  /** Completes with the {@code :status} of the stream's response head. */
  private static final class StatusOf extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<String> status;

    StatusOf(CompletableFuture<String> status) {
      this.status = status;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame head) {
          status.complete(String.valueOf(head.headers().status()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
