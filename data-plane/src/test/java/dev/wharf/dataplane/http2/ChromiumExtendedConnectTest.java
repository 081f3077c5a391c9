package dev.wharf.dataplane.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A WebSocket over an HTTP/2 stream (RFC 8441) opened the way Chromium opens one: the extended
 * {@code CONNECT} with exactly the headers its net log shows, on an h2c connection (the same stream
 * pipeline as over TLS), then one masked text frame in DATA and its echo back.
 */
@ExtendWith(NettyLeakExtension.class)
class ChromiumExtendedConnectTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  static TestBackend backend;
  static TestNode node;
  static EventLoopGroup group;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: clear
            address: 127.0.0.1
            port: %d
            http2: {cleartext: true}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: ws
            match: {path: {prefix: /}}
            proxy: {upstream: app, websocket: {enabled: true}}
        """
                    .formatted(ports.next(), backend.endpoint()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void chromiumsExtendedConnectOpensAWebSocketThatEchoes() throws Exception {
    CompletableFuture<Http2SettingsFrame> settings = new CompletableFuture<>();
    Channel connection = connect(settings);
    BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    try {
      assertEquals(
          Boolean.TRUE,
          settings.get(WAIT.toSeconds(), TimeUnit.SECONDS).settings().connectProtocolEnabled(),
          "SETTINGS_ENABLE_CONNECT_PROTOCOL");
      Http2StreamChannel stream = openStream(connection, frames);
      int port = node.address("clear").getPort();
      // As Chromium 156 sends it (its net log, HTTP2_SESSION_SEND_HEADERS).
      Http2Headers headers =
          new DefaultHttp2Headers()
              .method("CONNECT")
              .authority("localhost:" + port)
              .scheme("http")
              .path("/ws/capture?from=page");
      headers
          .set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket")
          .set("pragma", "no-cache")
          .set("cache-control", "no-cache")
          .set("user-agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0")
          .set("origin", "http://localhost:" + port)
          .set("sec-websocket-version", "13")
          .set("accept-encoding", "gzip, deflate, br, zstd")
          .set("accept-language", "en-US,en;q=0.9")
          .set("sec-websocket-extensions", "permessage-deflate; client_max_window_bits");
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).sync();
      Http2HeadersFrame response =
          assertInstanceOf(
              Http2HeadersFrame.class, frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertEquals("200", String.valueOf(response.headers().status()), response.toString());
      RecordedRequest handshake = backend.takeRequest(WAIT);
      assertEquals("GET /ws/capture?from=page", handshake.method() + " " + handshake.uri());
      assertEquals("websocket", handshake.header("Upgrade"));

      stream.writeAndFlush(new DefaultHttp2DataFrame(maskedText("hello"), false)).sync();
      Http2DataFrame echo =
          assertInstanceOf(Http2DataFrame.class, frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
      try {
        byte[] bytes = ByteBufUtil.getBytes(echo.content());
        assertEquals((byte) 0x81, bytes[0], "FIN + text");
        assertEquals(5, bytes[1], "unmasked, five bytes");
        assertEquals("hello", new String(bytes, 2, 5, StandardCharsets.UTF_8));
      } finally {
        echo.release();
      }
      assertTrue(stream.isActive());
      assertEquals(null, handshake.header("Transfer-Encoding"), "a handshake has no body");
      assertEquals("upgrade", handshake.header("Connection").toLowerCase(java.util.Locale.ROOT));
    } finally {
      connection.close().sync();
      frames.forEach(ReferenceCountUtil::release);
    }
  }

  private static Channel connect(CompletableFuture<Http2SettingsFrame> settings)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(
                        Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                        new ChannelInboundHandlerAdapter() {
                          @Override
                          public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof Http2SettingsFrame s) {
                              settings.complete(s);
                            }
                            ReferenceCountUtil.release(msg);
                          }
                        });
              }
            })
        .connect(node.address("clear"))
        .sync()
        .channel();
  }

  private static Http2StreamChannel openStream(Channel connection, BlockingQueue<Object> frames)
      throws InterruptedException {
    return new Http2StreamChannelBootstrap(connection)
        .handler(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames.add(msg);
              }
            })
        .open()
        .sync()
        .getNow();
  }

  /** One client-to-server WebSocket text frame, masked as RFC 6455 requires. */
  private static ByteBuf maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(0x81).writeByte(0x80 | payload.length).writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.writeByte(payload[i] ^ mask[i % 4]);
    }
    return frame;
  }
}
