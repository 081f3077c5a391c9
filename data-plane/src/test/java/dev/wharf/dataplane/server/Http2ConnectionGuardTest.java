package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Http2Options;
import dev.wharf.dataplane.http.GoAway;
import dev.wharf.dataplane.http2.Http2Codecs;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.config.v1.Listener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsAckFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Http2ConnectionGuard} between Netty's own HTTP/2 server and client codecs on embedded
 * channels, with a mock ticker driving both the guard's clock and the event loop's timers: the
 * frames of a drain in their order, and the idle close, measured from the end of the last stream.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2ConnectionGuardTest {
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final List<Channel> serverStreams = new ArrayList<>();
  private EmbeddedChannel server;
  private EmbeddedChannel client;
  private ClientFrames frames;

  private void connect(boolean clientAcksPings) {
    Http2FrameCodec codec = Http2Codecs.server(Http2Options.of(Listener.getDefaultInstance()));
    Http2MultiplexHandler streams =
        new Http2MultiplexHandler(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void handlerAdded(ChannelHandlerContext ctx) {
                serverStreams.add(ctx.channel()); // holds the stream open: never answers
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
              }
            });
    Http2ConnectionGuard guard =
        new Http2ConnectionGuard(
            "web", new ProxyMetrics(new SimpleMeterRegistry()), ticker, codec, IDLE_NANOS, 65_535);
    server = EmbeddedChannel.builder().ticker(ticker).handlers(codec, streams, guard).build();
    frames = new ClientFrames();
    client =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                Http2FrameCodecBuilder.forClient().autoAckPingFrame(clientAcksPings).build(),
                frames)
            .build();
    pump();
    frames.received.clear();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.finishAndReleaseAll();
      server.finishAndReleaseAll();
    }
  }

  /** Moves bytes both ways until neither side has anything more to say. */
  private void pump() {
    boolean moved = true;
    while (moved) {
      moved = move(client, server) | move(server, client);
    }
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object out = from.readOutbound(); out != null; out = from.readOutbound()) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(out);
      } else {
        ReferenceCountUtil.release(out);
      }
    }
    return moved;
  }

  private void advance(long millis) {
    ticker.advance(millis, TimeUnit.MILLISECONDS);
    server.runScheduledPendingTasks();
    pump();
  }

  private Http2FrameStream openStream() {
    Http2FrameStream stream = frames.open();
    pump();
    assertEquals(1, serverStreams.size());
    return stream;
  }

  /** The server answers its stream and ends it. */
  private void answer() {
    Channel stream = serverStreams.get(0);
    stream.writeAndFlush(
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204"), true));
    server.runPendingTasks();
    pump();
  }

  private List<Object> received() {
    return frames.received;
  }

  @Test
  void drainSendsGoAwayForEveryStreamThenPingThenTheFinalGoAwayWhenThePingIsAnswered() {
    connect(true);
    Http2FrameStream stream = openStream();

    server.pipeline().fireUserEventTriggered(GoAway.INSTANCE);
    pump();

    assertEquals(3, received().size(), received().toString());
    GoAwaySeen graceful = assertInstanceOf(GoAwaySeen.class, received().get(0));
    assertEquals(Integer.MAX_VALUE, graceful.lastStreamId());
    assertEquals(Http2Error.NO_ERROR.code(), graceful.errorCode());
    PingSeen ping = assertInstanceOf(PingSeen.class, received().get(1));
    assertEquals(Http2ConnectionGuard.GOAWAY_PING, ping.content());
    GoAwaySeen last = assertInstanceOf(GoAwaySeen.class, received().get(2));
    assertEquals(stream.id(), last.lastStreamId(), "the last stream taken");
    assertEquals(Http2Error.NO_ERROR.code(), last.errorCode());
    assertTrue(server.isOpen(), "the stream is still running");

    answer();
    assertFalse(server.isOpen(), "closed after its last stream ended");
  }

  @Test
  void theFinalGoAwayGoesAfterASecondWhenThePingIsNeverAnswered() {
    connect(false);
    Http2FrameStream stream = openStream();
    server.pipeline().fireUserEventTriggered(GoAway.INSTANCE);
    pump();
    assertEquals(2, received().size(), received().toString());

    advance(999);
    assertEquals(2, received().size(), received().toString());
    advance(1);
    GoAwaySeen last = assertInstanceOf(GoAwaySeen.class, received().get(2));
    assertEquals(stream.id(), last.lastStreamId());
    answer();
    assertFalse(server.isOpen());
  }

  @Test
  void aConnectionWithoutStreamsClosesWithGoAwayAfterTheKeepaliveTimeout() {
    connect(true);
    advance(999);
    assertTrue(server.isOpen());
    assertTrue(received().isEmpty(), received().toString());
    advance(1);
    GoAwaySeen goAway = assertInstanceOf(GoAwaySeen.class, received().get(0));
    assertEquals(0, goAway.lastStreamId());
    assertFalse(server.isOpen());
  }

  @Test
  void theKeepaliveTimeoutRunsFromTheEndOfTheLastStreamNotWhileItRuns() {
    connect(true);
    Http2FrameStream stream = openStream();
    advance(5_000);
    assertTrue(server.isOpen(), "a running stream keeps its connection");
    assertTrue(received().isEmpty(), received().toString());

    answer();
    received().clear();
    advance(999);
    assertTrue(server.isOpen(), "idle for less than keepalive_timeout since the stream ended");
    assertTrue(received().isEmpty(), received().toString());
    advance(1);
    GoAwaySeen goAway = assertInstanceOf(GoAwaySeen.class, received().get(0));
    assertEquals(stream.id(), goAway.lastStreamId());
    assertFalse(server.isOpen());
  }

  @Test
  void aDrainOfAnIdleConnectionClosesItOnceThePingIsAnswered() {
    connect(true);
    server.pipeline().fireUserEventTriggered(GoAway.INSTANCE);
    pump();
    assertEquals(3, received().size(), received().toString());
    assertEquals(0, ((GoAwaySeen) received().get(2)).lastStreamId());
    assertFalse(server.isOpen());
  }

  record GoAwaySeen(int lastStreamId, long errorCode) {}

  record PingSeen(long content, boolean ack) {}

  /** The client's side: opens streams, keeps the connection-level frames it receives. */
  private static final class ClientFrames extends Http2ChannelDuplexHandler {
    final List<Object> received = new ArrayList<>();
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded0(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    Http2FrameStream open() {
      Http2FrameStream stream = newStream();
      ctx.writeAndFlush(
          new DefaultHttp2HeadersFrame(
                  new DefaultHttp2Headers()
                      .method("GET")
                      .scheme("http")
                      .authority("wharf")
                      .path("/"),
                  true)
              .stream(stream));
      return stream;
    }

    /** Kept as what it said: the frame itself is released at once. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame g) {
        received.add(new GoAwaySeen(g.lastStreamId(), g.errorCode()));
      } else if (msg instanceof Http2PingFrame p) {
        received.add(new PingSeen(p.content(), p.ack()));
      } else if (!(msg instanceof Http2SettingsFrame) && !(msg instanceof Http2SettingsAckFrame)) {
        received.add(((Http2Frame) msg).name());
      }
      ReferenceCountUtil.release(msg);
    }
  }
}
